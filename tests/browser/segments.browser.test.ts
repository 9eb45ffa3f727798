// Segments on the dashboard in a real browser (Debian's Chromium via playwright-core) against
// `npm start`'s process: the widget/language picker filters the overview and lives in the URL,
// the "By language" card, the inbox's CSV export with its filters, and live counts that only
// move for feedback in the selected segment. Each test uses languages and widgets of its own.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import type { Breakdown, Overview } from '@thumbline/events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, watchErrors, type RunningApp } from '../support/browser.ts';
import { csat, started, thumb } from '../support/events.ts';

let app: RunningApp;
let browser: Browser;
const pageErrors: string[][] = [];

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

afterEach(() => {
  const errors = pageErrors.flat();
  pageErrors.length = 0;
  expect(errors).toEqual([]);
});

const prompted = (conversation_id: string, ts: number, extra: object) => ({
  event_id: randomUUID(),
  type: 'conversation.csat_prompted',
  ts,
  conversation_id,
  ...extra,
});

/** The dashboard signed in through a link; `search` (e.g. `?locale=fi`) is a shared segment. */
async function dashboard(search = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  pageErrors.push(watchErrors(page));
  await page.goto(`${app.url}/${search}#token=${app.creds.dashboard_token}`);
  await page.getByTestId('thumbs-up-count').waitFor();
  await eventually(() => page.getByTestId('live-status').textContent()).toBe('Live');
  return page;
}

/** UI changes take a request or two: more than expect.poll's default second under load. */
const eventually = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000 });

const count = async (page: Page, testId: string) =>
  Number((await page.getByTestId(testId).textContent())?.replace(/\D/g, ''));

async function post(events: object[]) {
  const res = await fetch(`${app.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.creds.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

async function get(path: string): Promise<Response> {
  return fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${app.creds.dashboard_token}` } });
}

async function json<T>(path: string): Promise<T> {
  return (await (await get(path)).json()) as T;
}

/** Waits until the pipeline has counted the events (the overview of `query` has `up` thumbs up). */
async function counted(query: string, up: number) {
  await expect
    .poll(async () => (await json<Overview>(`/v1/analytics/overview?${query}`)).thumbs.up, { timeout: 15_000 })
    .toBe(up);
}

describe('segments on the dashboard in Chromium', () => {
  it('the picker filters the overview, stays in the URL across a reload, and is shared with the inbox', async () => {
    const now = Date.now();
    await post([
      ...Array.from({ length: 3 }, (_, i) =>
        thumb(`nl-${i}`, `nl-m-${i}`, 'up', now - 60_000, { widget_id: 'shop-nl', locale: 'nl-NL' }),
      ),
      ...Array.from({ length: 2 }, (_, i) =>
        thumb(`it-${i}`, `it-m-${i}`, 'up', now - 60_000, { widget_id: 'shop-it', locale: 'it-IT' }),
      ),
    ]);
    await counted('locale=nl', 3);
    await counted('widget_id=shop-it', 2);

    const page = await dashboard();
    expect(await count(page, 'thumbs-up-count')).toBeGreaterThanOrEqual(5);
    await page.getByTestId('segment-language').selectOption('nl');
    await eventually(() => count(page, 'thumbs-up-count')).toBe(3);
    expect(new URL(page.url()).searchParams.get('locale')).toBe('nl');
    expect(await page.getByTestId('segment-language').locator('option:checked').textContent()).toBe('Dutch');

    await page.reload();
    await page.getByTestId('thumbs-up-count').waitFor();
    expect(await page.getByTestId('segment-language').inputValue()).toBe('nl');
    await eventually(() => count(page, 'thumbs-up-count')).toBe(3);

    await page.getByTestId('segment-language').selectOption('');
    await page.getByTestId('segment-widget').selectOption('shop-it');
    await eventually(() => count(page, 'thumbs-up-count')).toBe(2);
    const url = new URL(page.url());
    expect([url.searchParams.get('widget_id'), url.searchParams.get('locale'), url.hash]).toEqual([
      'shop-it',
      null,
      '#/overview',
    ]);

    // The inbox keeps the segment: only shop-it's conversations.
    await page.getByTestId('nav-conversations').click();
    expect(await page.getByTestId('segment-widget').inputValue()).toBe('shop-it');
    const rows = () =>
      page.getByTestId('conversation-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')));
    await eventually(async () => (await rows()).sort()).toEqual(['it-0', 'it-1']);
  });

  it('the breakdown card has a row per language with its CSAT, thumbs-down share, response rate and prompts', async () => {
    const now = Date.now();
    const pt = { widget_id: 'shop-pt', locale: 'pt-BR' };
    const pl = { widget_id: 'shop-pl', locale: 'pl-PL' };
    await post([
      // pt: two prompted, one of them rated 4; another rated 2 without a prompt; thumbs 1 up, 1 down.
      prompted('pt-1', now - 50_000, pt),
      csat('pt-1', { score: 4 }, now - 40_000, pt),
      prompted('pt-2', now - 50_000, pt),
      csat('pt-3', { score: 2 }, now - 40_000, pt),
      thumb('pt-1', 'pt-m-1', 'up', now - 45_000, pt),
      thumb('pt-1', 'pt-m-2', 'down', now - 45_000, pt),
      // pl: one prompted, rated 5; three thumbs down.
      prompted('pl-1', now - 50_000, pl),
      csat('pl-1', { score: 5 }, now - 40_000, pl),
      ...Array.from({ length: 3 }, (_, i) => thumb('pl-1', `pl-m-${i}`, 'down', now - 45_000, pl)),
    ]);
    await counted('locale=pt', 1);
    await expect
      .poll(async () => (await json<Overview>('/v1/analytics/overview?locale=pl')).thumbs.down, { timeout: 15_000 })
      .toBe(3);
    await expect
      .poll(async () => (await json<Overview>('/v1/analytics/overview?locale=pt')).csat.rated, { timeout: 15_000 })
      .toBe(2);

    const page = await dashboard();
    const table = page.getByTestId('breakdown-table');
    await eventually(() => table.getAttribute('data-by')).toBe('language');
    const row = (key: string) => page.locator(`[data-testid="breakdown-row"][data-key="${key}"]`);
    const cells = async (key: string) =>
      row(key)
        .locator('th, td')
        .evaluateAll((els) => els.map((e) => e.textContent));
    await eventually(() => cells('pt')).toEqual(['Portuguese', '3.00', '50%', '50%', '2']);
    expect(await cells('pl')).toEqual(['Polish', '5.00', '100%', '100%', '1']);

    // One row per language the API has in the window, in its order.
    const api = await json<Breakdown>('/v1/analytics/breakdown?by=language');
    const keys = await page
      .getByTestId('breakdown-row')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(keys).toEqual(api.items.map((i) => i.key ?? ''));
    expect(keys).toEqual(expect.arrayContaining(['pt', 'pl']));

    await page.getByTestId('breakdown-by-widget_id').click();
    await eventually(() => table.getAttribute('data-by')).toBe('widget_id');
    expect(await cells('shop-pt')).toEqual(['shop-pt', '3.00', '50%', '50%', '2']);

    // Within a segment the card only has that segment's keys.
    await page.getByTestId('segment-language').selectOption('pl');
    await eventually(() =>
      page.getByTestId('breakdown-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))),
    ).toEqual(['shop-pl']);
  });

  it('Export downloads a CSV of the conversations matching the feedback filter, range and segment', async () => {
    const now = Date.now();
    const sv = { widget_id: 'shop-sv', locale: 'sv-SE' };
    await post([
      started('sv-neg', now - 90_000, sv),
      csat('sv-neg', { score: 1 }, now - 80_000, { ...sv, reason: 'Wrong size, again' }),
      thumb('sv-neg', 'sv-neg-m', 'down', now - 85_000, sv),
      started('sv-pos', now - 70_000, sv),
      csat('sv-pos', { score: 5 }, now - 60_000, sv),
      started('other-neg', now - 50_000, { widget_id: 'shop-other', locale: 'sv-SE' }),
      csat('other-neg', { score: 1 }, now - 40_000, { widget_id: 'shop-other', locale: 'sv-SE' }),
    ]);
    await expect
      .poll(
        async () =>
          (await json<{ items: unknown[] }>('/v1/conversations?widget_id=shop-sv&locale=sv-SE&feedback=downvote')).items
            .length,
        { timeout: 15_000 },
      )
      .toBe(1);

    // A shared link with the segment, then the Downvote filter.
    const page = await dashboard('?widget_id=shop-sv&locale=sv');
    await page.getByTestId('nav-conversations').click();
    await page.getByTestId('feedback-filter').selectOption('downvote');
    await eventually(() =>
      page.getByTestId('conversation-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id'))),
    ).toEqual(['sv-neg']);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^conversations-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'conversation_id,started_at,satisfaction,score,negative_reason,thumbs_up,thumbs_down,widget_id,locale',
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        /^"sv-neg","\d{4}-\d{2}-\d{2}T[\d:.]+Z","negative","1","Wrong size, again","0","1","shop-sv","sv-SE"$/,
      ),
      '',
    ]);
    // The same file as the API gives for the same filters.
    const range = /conversations-(\d{4}-\d{2}-\d{2})-(\d{4}-\d{2}-\d{2})\.csv/.exec(download.suggestedFilename())!;
    const tz = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const direct = await get(
      `/v1/conversations/export?feedback=downvote&widget_id=shop-sv&locale=sv&from=${range[1]}&to=${range[2]}&tz=${encodeURIComponent(tz)}`,
    );
    expect(await direct.text()).toBe(csv);

    // NDJSON: the same conversation.
    const [nd] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-ndjson').click()]);
    const records = (await readFile(await nd.path(), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { conversation_id: string; negative_reason: string });
    expect(records.map((r) => [r.conversation_id, r.negative_reason])).toEqual([['sv-neg', 'Wrong size, again']]);
  });

  it('live: a thumb in another segment does not move the filtered count, one in the selected segment does', async () => {
    const fi = { widget_id: 'shop-fi', locale: 'fi-FI' };
    const all = await dashboard();
    const filtered = await dashboard('?locale=fi');
    await eventually(() => filtered.getByTestId('segment-language').inputValue()).toBe('fi');
    const allBefore = await count(all, 'thumbs-up-count');
    const before = await count(filtered, 'thumbs-up-count');
    expect(before).toBe(0);

    // Same widget, another language: the whole workspace moves, the Finnish overview does not.
    await post([thumb('live-sv', 'live-sv-m', 'up', Date.now(), { widget_id: 'shop-fi', locale: 'sv-SE' })]);
    await expect.poll(() => count(all, 'thumbs-up-count'), { timeout: 5000, interval: 50 }).toBe(allBefore + 1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await count(filtered, 'thumbs-up-count')).toBe(before);

    await post([thumb('live-fi', 'live-fi-m', 'up', Date.now(), fi)]);
    await expect.poll(() => count(filtered, 'thumbs-up-count'), { timeout: 5000, interval: 50 }).toBe(before + 1);
    await expect.poll(() => count(all, 'thumbs-up-count'), { timeout: 5000, interval: 50 }).toBe(allBefore + 2);
    // Applied live, not refetched: a fresh query agrees.
    expect((await json<Overview>('/v1/analytics/overview?locale=fi')).thumbs.up).toBe(before + 1);
  });
});
