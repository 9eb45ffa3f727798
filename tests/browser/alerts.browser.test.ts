// The Alerts page in Chromium against `npm start`'s process: create a rule whose webhook is a
// real HTTP receiver on loopback, send a test, see the delivery listed as delivered, delete.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, startApp, watchErrors, type RunningApp } from '../support/browser.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let app: RunningApp;
let browser: Browser;
let hooks: WebhookReceiver;

beforeAll(async () => {
  hooks = await startWebhookReceiver();
  app = await startApp([], { THUMBLINE_WEBHOOK_ALLOW_PRIVATE: 'true' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await hooks?.close();
});

describe('Alerts page', () => {
  it('creates a rule, sends a test to a real receiver, lists the delivery, deletes the rule', async () => {
    const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${app.url}/#token=${app.creds.dashboard_token}`);
    await page.getByTestId('nav-alerts').click();
    await page.getByText('No rules yet').waitFor();

    await page.getByTestId('alert-name').fill('Checkout widget thumbs-down');
    await page.getByTestId('alert-value').fill('25');
    await page.getByTestId('alert-url').fill(`${hooks.url}/from-browser`);
    await page.getByTestId('alert-create').click();
    const row = page.getByTestId('alert-rules').locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('Checkout widget thumbs-down');
    expect(await row.first().textContent()).toContain('above 25 %');

    await page.getByTestId('alert-test').click();
    await expect.poll(() => hooks.received.length, { timeout: 15_000 }).toBe(1);
    const got = hooks.received[0]!;
    expect(got.path).toBe('/from-browser');
    expect(got.body).toMatchObject({
      type: 'alert.test',
      rule_name: 'Checkout widget thumbs-down',
      workspace_id: 'demo',
    });
    expect(got.headers['x-thumbline-event-id']).toBe(got.body.id);

    // The page refreshes its deliveries on its own.
    const delivery = page.locator(`[data-delivery-id="${String(got.body.id)}"]`);
    await expect
      .poll(() => delivery.getByTestId('delivery-status').textContent(), { timeout: 15_000 })
      .toBe('delivered');
    expect(await delivery.textContent()).toContain('200');

    page.once('dialog', (d) => void d.accept());
    await page.getByTestId('alert-delete').click();
    await page.getByText('No rules yet').waitFor();
    expect(errors).toEqual([]);
  });

  it('shows the API’s reason when a rule is refused', async () => {
    const page: Page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${app.url}/#token=${app.creds.dashboard_token}`);
    await page.getByTestId('nav-alerts').click();
    await page.getByTestId('alert-name').fill('bad');
    await page.getByTestId('alert-value').fill('250'); // a percentage over 100
    await page.getByTestId('alert-url').fill(`${hooks.url}/x`);
    await page.getByTestId('alert-create').click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/between 0 and 100/);
    // The refused request is logged by the browser as a failed resource load: the only error.
    expect(errors.every((e) => /400/.test(e))).toBe(true);
  });
});
