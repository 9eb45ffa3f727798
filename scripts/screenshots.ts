// Takes a 1400×900 screenshot of each screen into docs/screenshots/ (for the README).
// Starts Thumbline with demo traffic on a fresh data dir and drives Debian's Chromium.
// Usage: npm run screenshots
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { launchBrowser, startApp } from '../tests/support/browser.ts';

const OUT = 'docs/screenshots';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A webhook receiver on loopback for the Alerts screen (private targets allowed for it).
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
}).listen(0, '127.0.0.1');
await new Promise((r) => receiver.once('listening', r));
const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/thumbline`;
const app = await startApp(['--demo'], { THUMBLINE_WEBHOOK_ALLOW_PRIVATE: 'true' });
const browser = await launchBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  // Let the simulator's backfill and a few live conversations land.
  await sleep(15_000);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const shot = async (name: string) => {
    await sleep(1500);
    await page.screenshot({ path: `${OUT}/${name}.png` });
    process.stdout.write(`${OUT}/${name}.png\n`);
  };
  await page.goto(`${app.url}/#token=${app.creds.dashboard_token}`);
  await page.getByTestId('date-preset').selectOption('30');
  await page.getByTestId('breakdown-row').first().waitFor();
  await shot('overview');
  // One widget's shoppers, by language (the segment picker and the breakdown card).
  await page.getByTestId('segment-widget').selectOption('default');
  await page.getByTestId('breakdown-by-language').click();
  await shot('overview-segment');
  await page.getByTestId('segment-widget').selectOption('');
  await page.getByTestId('nav-conversations').click();
  await page.getByTestId('conversation-row').first().waitFor();
  await shot('conversations');
  await page.getByTestId('feedback-filter').selectOption('downvote');
  await page.getByTestId('conversation-row').first().click();
  await page.getByTestId('user-satisfaction').waitFor();
  await page
    .getByTestId('negative-reason-info')
    .hover()
    .catch(() => {});
  await shot('conversation');
  // The weekly triage loop: the overview's card, then its unreviewed downvotes with a review card open.
  // The last 7 days against the 7 before: this week's loop, with last week's reviews to compare.
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('date-preset').selectOption('7');
  await page.getByTestId('triage-card').scrollIntoViewIfNeeded();
  await shot('triage-card');
  await page.getByTestId('triage-open').click();
  await page.getByTestId('conversation-row').first().click();
  await page.getByTestId('review-card').waitFor();
  await page.getByTestId('outcome-didnt_know').check();
  await page.getByTestId('review-note').fill('No help-center article covers shipping to Canada');
  await shot('triage');
  await page.getByTestId('review-filter').selectOption('all');
  await page.getByTestId('feedback-filter').selectOption('all');
  await page.getByTestId('date-preset').selectOption('30');
  await page.getByTestId('nav-recommendations').click();
  // The simulator marks two gaps answered once its backfill is grouped: one fixed, one back.
  await page.getByTestId('answered-gap').first().waitFor({ timeout: 120_000 });
  await page.getByTestId('answered-gap').first().locator('.gap-line').click();
  await page.getByTestId('knowledge-gap').first().locator('.gap-line').click();
  await shot('recommendations');
  const source = page.getByTestId('source').first();
  // The simulator's cited answers may still be on their way: look again until one is counted.
  for (let i = 0; i < 12 && (await page.getByTestId('source').count()) === 0; i++) {
    await sleep(5000);
    await page.reload();
  }
  if ((await page.getByTestId('source').count()) > 0) {
    await source.getByRole('button').click();
    await source.getByTestId('source-answer').first().waitFor();
    await page.locator('.sources-card').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('sources');
  } else {
    process.stderr.write('no cited source counted yet: sources.png left as it was\n');
  }
  await page.getByTestId('nav-settings').click();
  await shot('settings');
  await page.getByTestId('nav-alerts').click();
  await page.getByTestId('alert-name').fill('German CSAT below 3.5');
  await page.getByTestId('alert-metric').selectOption('csat_average');
  await page.getByTestId('alert-condition').selectOption('below');
  await page.getByTestId('alert-value').fill('3.5');
  await page.getByTestId('alert-url').fill(hook);
  await page.getByTestId('alert-create').click();
  await page.getByTestId('alert-test').first().click();
  await page.getByTestId('delivery-status').first().waitFor();
  await shot('alerts');
  await page.getByTestId('nav-sql').click();
  const sql = page.getByTestId('sql-editor');
  if (await page.getByTestId('sql-editor').count()) {
    await sql.fill(
      "SELECT toDate(bucket) AS day, sum(thumbs_up) AS up, sum(thumbs_down) AS down\nFROM feedback_15m WHERE workspace_id = 'demo'\nGROUP BY day ORDER BY day DESC LIMIT 10",
    );
    await page.getByTestId('sql-run').click();
    await page.getByTestId('sql-result').waitFor();
  }
  await shot('sql');
  const demo = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await demo.goto(`${app.url}/demo?key=${app.creds.public_key}&conversation=screenshot-demo`);
  await demo.getByTestId('chat-bubble').click();
  await demo.getByTestId('ai-message').nth(1).waitFor({ timeout: 30_000 });
  await demo.locator('thumbline-feedback [part~="up"]').first().click();
  await sleep(1500);
  await demo.screenshot({ path: `${OUT}/demo.png` });
  process.stdout.write(`${OUT}/demo.png\n`);
} finally {
  await browser.close();
  await app.stop();
  receiver.close();
}
