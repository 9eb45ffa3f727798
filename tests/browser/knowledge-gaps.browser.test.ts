// Recommendations in Chromium against `npm start`'s process: each knowledge gap is one line that
// opens to its wordings and sources; marking it answered moves it to the Answered section with its
// thumbs-down rate before and after and a verdict (CONTRACT §13); unmarking brings it back.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, postEvents, startApp, watchErrors, type RunningApp } from '../support/browser.ts';
import { message, thumb } from '../support/events.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const HOUR = 3_600_000;
const SHIPPING = { id: 'kb-shipping', title: 'Where we ship', url: 'https://help.example.com/shipping' };

/** `n` conversations asking `question` from `start` on, 10 minutes apart; the first `down` answers thumbed down. */
function asked(prefix: string, question: string, start: number, n: number, down: number): object[] {
  return Array.from({ length: n }, (_, i) => {
    const conv = `${prefix}-${i}`;
    const at = start + i * 10 * 60_000;
    return [
      message(conv, `${conv}-q`, 'shopper', question, at),
      { ...message(conv, `${conv}-a`, 'assistant', 'We ship to the US only.', at + 1000), sources: [SHIPPING] },
      ...(i < down ? [thumb(conv, `${conv}-a`, 'down', at + 60_000)] : []),
    ];
  }).flat();
}

describe('Recommendations', () => {
  it('shows each gap on one line, marks one answered and shows its before/after, then unmarks it', async () => {
    const now = Date.now();
    // Before the fix 5 of 6 answers about Canada are thumbed down, after it none of 6.
    await postEvents(app, [
      ...asked('ca-before', 'Do you ship to Canada?', now - 4 * HOUR, 6, 5),
      ...asked('ca-after', 'Do you deliver to Canada?', now - 2 * HOUR, 6, 0),
      ...asked('kl', 'Can I pay with Klarna?', now - 3 * HOUR, 3, 2),
    ]);
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${app.url}/#token=${app.creds.dashboard_token}`);
    await page.getByTestId('nav-recommendations').click();

    const canada = page.locator('[data-testid="knowledge-gap"]').filter({ hasText: 'Canada' });
    for (let i = 0; i < 20 && (await canada.count()) === 0; i++) {
      await page.waitForTimeout(1000);
      await page.reload();
    }
    await canada.waitFor();
    expect(await page.getByTestId('knowledge-gap').count()).toBe(2);
    // One line per gap: the question, its thumbs-down, conversations and a trend line.
    const line = canada.locator('.gap-line');
    expect((await line.boundingBox())!.height).toBeLessThan(48);
    expect(await canada.getByTestId('gap-counts').textContent()).toBe('5');
    expect(await line.textContent()).toContain('5 conversations');
    await canada.getByTestId('gap-trend').locator('svg').waitFor();
    expect(await canada.getByTestId('gap-sources').count()).toBe(0);

    // It opens to its wordings, sources and the form: answered just before the second batch of questions.
    await line.click();
    expect(await canada.getByTestId('gap-sources').textContent()).toContain('Where we ship');
    const at = await page.evaluate(
      (ms) => {
        const d = new Date(ms);
        const pad = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
      },
      now - 2 * HOUR - 5 * 60_000,
    );
    await canada.getByTestId('gap-mark-at').fill(at);
    await canada.getByTestId('gap-mark-source').selectOption('kb-shipping');
    await canada.getByTestId('gap-mark').click();

    // It leaves the open list for the Answered section, with the verdict and before → after.
    const answered = page.locator('[data-testid="answered-gap"]').filter({ hasText: 'Canada' });
    await answered.waitFor();
    expect(await page.getByTestId('knowledge-gap').count()).toBe(1);
    expect(await answered.getByTestId('gap-verdict').textContent()).toBe('Fixed');
    expect(await answered.getByTestId('gap-rates').textContent()).toBe('83.3% → 0%');
    await answered.locator('.gap-line').click();
    const detail = await answered.getByTestId('gap-before-after').textContent();
    expect(detail).toMatch(/Before83\.3% \(43\.\d%–97%\) of 6 answers/);
    expect(detail).toMatch(/After0% \(0%–39%\) of 6 answers/);
    expect(await answered.textContent()).toContain('now covered by kb-shipping');
    expect(await page.getByTestId('to-answered').textContent()).toContain('Answered · 1');

    // The mark is stored: a reload shows it again; Unmark brings the gap back to the open list.
    await page.reload();
    await answered.waitFor();
    await answered.locator('.gap-line').click();
    await answered.getByTestId('gap-unmark').click();
    await canada.waitFor();
    await page.getByTestId('answered-empty').waitFor();
    expect(errors).toEqual([]);
  }, 90_000);
});
