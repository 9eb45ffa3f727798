// The ten-minute integration in Chromium: a plain HTML storefront on another origin (one of
// the demo workspace's allowed origins) with nothing but the README's snippet and the two
// elements. A thumb is used with the keyboard and with the mouse, the CSAT prompt is
// answered, and the overview counts exactly that.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { ConversationDetail, Overview } from '@thumbline/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, watchErrors, type RunningApp } from '../support/browser.ts';

let app: RunningApp;
let browser: Browser;
let shop: Server;
let shopUrl = '';
/** The storefront page the shop serves, set per test. */
let html = '';

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  shop = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((ok) => shop.listen(0, '127.0.0.1', ok));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => shop?.close(ok));
  await app?.stop();
});

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${app.creds.dashboard_token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

const counts = async () => {
  const o = await api<Overview>('/v1/analytics/overview');
  return { up: o.thumbs.up, down: o.thumbs.down, rated: o.csat.rated, prompted: o.csat.prompted };
};

function storefront(conversation: string, snippet: string): string {
  return `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Shop</title>
${snippet}
</head><body>
<p>Ja, wir liefern nach Kanada.</p>
<thumbline-feedback conversation="${conversation}" message="${conversation}-a1"></thumbline-feedback>
<p>Das Kleid fällt normal aus.</p>
<thumbline-feedback conversation="${conversation}" message="${conversation}-a2"></thumbline-feedback>
<thumbline-csat conversation="${conversation}"></thumbline-csat>
</body></html>`;
}

async function open(conversation: string, snippet: string): Promise<{ page: Page; errors: string[] }> {
  html = storefront(conversation, snippet);
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(shopUrl);
  return { page, errors };
}

const pressed = (page: Page, message: string, thumb: 'up' | 'down') =>
  page.locator(`thumbline-feedback[message="${message}"] [part~="${thumb}"]`).getAttribute('aria-pressed');

describe('the snippet and the elements on a storefront of another origin', () => {
  it('serves the bundle to any origin, cacheable for a year, with its integrity hash', async () => {
    const res = await fetch(`${app.url}/sdk/v1/thumbline.js`, { headers: { origin: shopUrl } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('x-thumbline-integrity')).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
    const again = await fetch(`${app.url}/sdk/v1/thumbline.js`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    const doc = (await (await fetch(`${app.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/sdk/v1/thumbline.js');
  });

  it('thumbs by keyboard and mouse, the CSAT prompt answered, and the overview counts them', async () => {
    const conversation = `sdk-${Math.random().toString(36).slice(2, 10)}`;
    const [a1, a2] = [`${conversation}-a1`, `${conversation}-a2`];
    const before = await counts();
    const snippet = `<script src="${app.url}/sdk/v1/thumbline.js" data-key="${app.creds.public_key}" async></script>`;
    const { page, errors } = await open(conversation, snippet);

    // Up then down, labelled in the page's language (lang="de").
    const first = page.locator(`thumbline-feedback[message="${a1}"] button`);
    await expect.poll(() => first.count()).toBe(2);
    expect(await first.nth(0).getAttribute('aria-label')).toBe('Hilfreich');
    expect(await first.nth(1).getAttribute('aria-label')).toBe('Nicht hilfreich');

    // Keyboard: Tab to the first thumb up, Enter; Tab to thumb down, Space (changes it: latest wins).
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await pressed(page, a1, 'up')).toBe('true');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await pressed(page, a1, 'up')).toBe('false');
    expect(await pressed(page, a1, 'down')).toBe('true');

    // Mouse: up on the second answer, again (clears it), and once more.
    const up2 = page.locator(`thumbline-feedback[message="${a2}"] [part~="up"]`);
    await up2.click();
    expect(await pressed(page, a2, 'up')).toBe('true');
    await up2.click();
    expect(await pressed(page, a2, 'up')).toBe('false');
    await up2.click();
    expect(await pressed(page, a2, 'up')).toBe('true');

    // The CSAT prompt with the widget's copy for de (falling back to English when de has none).
    const config = (await (
      await fetch(`${app.url}/v1/widgets/default/config?locale=de&key=${app.creds.public_key}`)
    ).json()) as { auto_end: { title: string; negative_button: string; after_submission: string } };
    const csat = page.locator('thumbline-csat');
    await expect.poll(() => csat.getAttribute('state')).toBe('shown');
    expect(await csat.locator('[part~="title"]').textContent()).toBe(config.auto_end.title);
    await csat.locator('[part~="down"]').click();
    await csat.locator('[part~="reason"]').fill('Die Größenberatung war falsch');
    expect(await csat.locator('[part~="submit"]').textContent()).toBe(config.auto_end.negative_button);
    await csat.locator('[part~="submit"]').click();
    await expect.poll(() => csat.getAttribute('state')).toBe('done');
    expect(await csat.locator('[part~="thanks"]').textContent()).toBe(config.auto_end.after_submission);

    // Counted: one up (a2), one down (a1), one rating, one prompt; the conversation has them.
    await expect
      .poll(counts, { timeout: 10_000 })
      .toEqual({ up: before.up + 1, down: before.down + 1, rated: before.rated + 1, prompted: before.prompted + 1 });
    const detail = await api<ConversationDetail>(`/v1/conversations/${conversation}`);
    expect(detail).toMatchObject({ satisfaction: 'negative', negative_reason: 'Die Größenberatung war falsch' });
    expect(Object.fromEntries(detail.messages.map((m) => [m.message_id, m.feedback]))).toEqual({
      [a1]: 'down',
      [a2]: 'up',
    });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads with its integrity hash pinned (Subresource Integrity), and not with a wrong one', async () => {
    const integrity = (await fetch(`${app.url}/sdk/v1/thumbline.js`)).headers.get('x-thumbline-integrity')!;
    const tag = (hash: string) =>
      `<script src="${app.url}/sdk/v1/thumbline.js" data-key="${app.creds.public_key}" integrity="${hash}" crossorigin="anonymous" async></script>`;
    const pinned = await open('sdk-sri', tag(integrity));
    await expect
      .poll(() => pinned.page.evaluate(() => customElements.get('thumbline-feedback') !== undefined))
      .toBe(true);
    expect(pinned.errors).toEqual([]);
    await pinned.page.close();

    const wrong = await open('sdk-sri', tag(`sha384-${'A'.repeat(64)}`));
    await expect.poll(() => wrong.errors.some((e) => /integrity/i.test(e))).toBe(true);
    expect(await wrong.page.evaluate(() => customElements.get('thumbline-feedback'))).toBeUndefined();
    await wrong.page.close();
  });
});
