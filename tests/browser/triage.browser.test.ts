// The weekly triage loop in Chromium against `npm start`'s process: the overview's triage card
// opens the inbox on unreviewed downvoted conversations (rows with previews), a reviewer sets an
// outcome with a note in the conversation view, the row leaves "Not reviewed" and shows under its
// outcome, full-text search finds it, and another dashboard's triage card follows live (downvotes
// and reviews).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, postEvents, startApp, watchErrors, type RunningApp } from '../support/browser.ts';
import { csat, message, started } from '../support/events.ts';

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

async function dashboard(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = watchErrors(page);
  await page.goto(`${app.url}/#token=${app.creds.dashboard_token}`);
  return { page, errors };
}

const rows = (page: Page) =>
  page.getByTestId('conversation-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')));

describe('triage', () => {
  it('triages a downvoted conversation from the overview card to its outcome, live on another dashboard', async () => {
    const watcher = await dashboard();
    const { page, errors } = await dashboard();
    for (const p of [page, watcher.page]) {
      await expect.poll(() => p.getByTestId('triage-downvoted').textContent(), { timeout: 20_000 }).toBe('0');
    }
    const now = Date.now();
    await postEvents(app, [
      started('tri-1', now - 60_000),
      message('tri-1', 'tri-1-q', 'shopper', 'Do you ship to Canada?', now - 59_000),
      message('tri-1', 'tri-1-a', 'assistant', 'We ship everywhere.', now - 58_000),
      csat('tri-1', { thumb: 'down' }, now - 50_000, { reason: 'Wrong shipping info' }),
      started('tri-2', now - 40_000),
      message('tri-2', 'tri-2-q', 'shopper', 'Is the jacket waterproof?', now - 39_000),
      csat('tri-2', { score: 1 }, now - 30_000),
      started('tri-3', now - 20_000),
      message('tri-3', 'tri-3-q', 'shopper', 'Where is my order?', now - 19_000),
      csat('tri-3', { score: 5 }, now - 10_000),
    ]);

    // Both cards count the downvotes live: the dashboards are open before they arrive.
    for (const p of [page, watcher.page]) {
      await expect.poll(() => p.getByTestId('triage-downvoted').textContent(), { timeout: 20_000 }).toBe('2');
      expect(await p.getByTestId('triage-reviewed').textContent()).toBe('0');
    }

    // The card opens the inbox on the period's unreviewed downvoted conversations.
    await page.getByTestId('triage-open').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/conversations');
    expect(await page.getByTestId('feedback-filter').inputValue()).toBe('downvote');
    expect(await page.getByTestId('review-filter').inputValue()).toBe('unreviewed');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['tri-2', 'tri-1']);
    const previews = await page.getByTestId('conversation-preview').allTextContents();
    // The negative reason when there is one, else the shopper's first message.
    expect(previews).toEqual(['Is the jacket waterproof?', 'Wrong shipping info']);

    await page.locator('[data-testid="conversation-row"][data-conversation-id="tri-1"]').click();
    const card = page.getByTestId('review-card');
    await card.waitFor();
    expect(await page.getByTestId('review-current').textContent()).toContain('Not reviewed');
    await page.getByTestId('outcome-didnt_know').check();
    await page.getByTestId('review-note').fill('No help-center article on shipping to Canada');
    await page.getByTestId('review-save').click();
    await expect.poll(() => page.getByTestId('review-status').textContent()).toBe('Saved');
    expect(await page.getByTestId('review-current').getAttribute('data-outcome')).toBe('didnt_know');

    // Reviewed: it leaves "Not reviewed" (live), and shows under its outcome with a badge.
    await expect.poll(() => rows(page), { timeout: 5_000 }).toEqual(['tri-2']);
    await page.getByTestId('review-filter').selectOption('didnt_know');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['tri-1']);
    expect(await page.getByTestId('review-badge').textContent()).toBe("Didn't know");

    // The other dashboard's triage card follows without a reload.
    await expect.poll(() => watcher.page.getByTestId('triage-reviewed').textContent(), { timeout: 5_000 }).toBe('1');
    expect(await watcher.page.getByTestId('triage-count-didnt_know').textContent()).toBe('1');

    // Full-text search, any case, combined with the other filters.
    await page.getByTestId('review-filter').selectOption('all');
    await page.getByTestId('feedback-filter').selectOption('all');
    await page.getByTestId('conversation-search').fill('CANADA');
    await page.getByTestId('conversation-search').press('Enter');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['tri-1']);
    await page.getByTestId('conversation-search').fill('order');
    await page.getByTestId('conversation-search').press('Enter');
    await expect.poll(() => rows(page), { timeout: 10_000 }).toEqual(['tri-3']);

    // Clearing the review from the conversation view puts it back among the unreviewed.
    await page.getByTestId('conversation-search').fill('');
    await page.locator('[data-testid="conversation-row"][data-conversation-id="tri-1"]').click();
    await page.getByTestId('review-clear').click();
    await expect.poll(() => page.getByTestId('review-status').textContent()).toBe('Cleared');
    await expect.poll(() => watcher.page.getByTestId('triage-reviewed').textContent(), { timeout: 5_000 }).toBe('0');
    expect(errors).toEqual([]);
    expect(watcher.errors).toEqual([]);
  }, 120_000);
});
