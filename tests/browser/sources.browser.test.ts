// The Sources card of Recommendations in Chromium against `npm start`'s process: answers cite
// sources, a thumb-down makes the source appear without a reload, the drill-down lists the
// answer and links to its conversation.
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

const SHIPPING = { id: 'kb-shipping', title: 'Where we ship', url: 'https://help.example.com/articles/shipping' };

describe('Sources card', () => {
  it('lists a source after its answer is thumbed down, and drills into the answer and its conversation', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${app.url}/#token=${app.creds.dashboard_token}`);
    await page.getByTestId('nav-recommendations').click();
    await page.getByTestId('sources-empty').waitFor();

    const now = Date.now();
    await postEvents(app, [
      message('src-c1', 'src-q1', 'shopper', 'Do you ship to Canada?', now - 5000),
      {
        ...message('src-c1', 'src-a1', 'assistant', 'We ship to many countries.', now - 4000),
        sources: [SHIPPING, { id: 'kb-risky', title: 'Risky link', url: 'javascript:alert(1)' }],
      },
      { ...message('src-c2', 'src-a2', 'assistant', 'Size S is back.', now - 3000), sources: [{ id: 'kb-stock' }] },
      thumb('src-c2', 'src-a2', 'up', now - 2500),
    ]);
    await postEvents(app, [thumb('src-c1', 'src-a1', 'down', now - 2000)]);

    // The page reloads the card a few seconds after a live thumbs-down.
    const shipping = page.locator('[data-testid="source"][data-source-id="kb-shipping"]');
    await shipping.waitFor({ timeout: 20_000 });
    const ids = await page.getByTestId('source').evaluateAll((els) => els.map((e) => e.getAttribute('data-source-id')));
    // Most thumbs-down first (ties by id); the thumbed-up source last.
    expect(ids).toEqual(['kb-risky', 'kb-shipping', 'kb-stock']);
    expect(await shipping.textContent()).toContain('Where we ship');
    expect(await shipping.getByTestId('source-counts').textContent()).toContain('100');
    expect(await shipping.locator('a.source-url').getAttribute('href')).toBe(SHIPPING.url);
    // A url that is not http(s) is shown, never linked.
    const risky = page.locator('[data-testid="source"][data-source-id="kb-risky"]');
    expect(await risky.locator('a').count()).toBe(0);
    expect(await risky.textContent()).toContain('javascript:alert(1)');

    await shipping.getByRole('button').click();
    const answer = shipping.getByTestId('source-answer');
    await answer.waitFor();
    expect(await answer.count()).toBe(1);
    expect(await answer.getAttribute('data-message-id')).toBe('src-a1');
    expect(await answer.textContent()).toContain('We ship to many countries.');

    await answer.getByRole('link').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/conversations/src-c1');
    await page.getByText('Do you ship to Canada?').first().waitFor();
    expect(errors).toEqual([]);
  }, 90_000);
});
