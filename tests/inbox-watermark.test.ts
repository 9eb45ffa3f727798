// The inbox never trails the overview (issue 17, ADR 0005): a conversation whose rating the
// overview counts is in the very next inbox listing, with no clock-based lag, because the
// first page's snapshot is the committed watermark and versions are stored before the
// changes the overview counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { ConversationSummary, Overview } from '@thumbline/events';
import { committedWatermark, newToken, withCommitStamp } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat } from './support/events.ts';
import { startTestWorker } from './support/pipeline.ts';

let env: TestEnv;
const sk = newToken('secret');
const dt = newToken('dashboard');
const NOW = Date.now();
const DAY = new Date(NOW).toISOString().slice(0, 10);
const FROM = new Date(NOW - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  env = await openTestEnv('inbox-watermark');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
});
afterAll(() => env.cleanup());

async function get<T>(path: string): Promise<T> {
  const res = await createApiApp(env).request(path, { headers: { authorization: `Bearer ${dt}` } });
  return (await res.json()) as T;
}

describe('inbox watermark', () => {
  it('lists a conversation the moment the overview counts its rating', async () => {
    const w = startTestWorker(env, { pump: { consumer: 'wm' } });
    try {
      for (let i = 0; i < 15; i++) {
        const id = `wm-${i}`;
        const res = await createIngestApp(env).request('/v1/events', {
          method: 'POST',
          headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
          body: JSON.stringify(csat(id, { score: 1 }, NOW - 1000, { reason: `reason ${i}` })),
        });
        expect(res.status).toBe(202);
        // Poll the overview tightly; the instant it counts the rating, list the inbox.
        for (;;) {
          const o = await get<Overview>(`/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`);
          if (o.csat.rated === i + 1) break;
          await new Promise((r) => setTimeout(r, 2));
        }
        const inbox = await get<{ items: ConversationSummary[] }>(
          `/v1/conversations?from=${FROM}&to=${DAY}&tz=UTC&feedback=downvote&limit=200`,
        );
        expect(
          inbox.items.find((c) => c.conversation_id === id),
          id,
        ).toMatchObject({
          satisfaction: 'negative',
          negative_reason: `reason ${i}`,
        });
      }
    } finally {
      await w.close();
    }
  });

  it('stays below a batch still storing its versions, and passes it once stored', async () => {
    const before = await committedWatermark(env.redis, env.keys);
    let during = 0;
    let stamp = 0;
    await withCommitStamp(env.redis, env.keys, 'slow-batch', async (s) => {
      stamp = s;
      await new Promise((r) => setTimeout(r, 20));
      during = await committedWatermark(env.redis, env.keys);
    });
    const after = await committedWatermark(env.redis, env.keys);
    expect(stamp).toBeGreaterThan(before);
    expect(during).toBeLessThan(stamp);
    expect(after).toBeGreaterThanOrEqual(stamp);
  });
});
