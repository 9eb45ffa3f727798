// Partitions and leases (ADR 0009), on real Redis (single or cluster) and the embedded
// ClickHouse: two workers share the partitions; one stops mid-load; its partitions move
// to the other within seconds; nothing is lost or counted twice, and the newest live
// summary of every conversation is its current one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { ConversationVersions } from '@thumbline/live-client';
import type { InboxItem, LiveDelta, Overview } from '@thumbline/events';

type ConversationList = { items: InboxItem[]; next_cursor: string | null };
import { deltasSince, newToken } from '@thumbline/redis';
import { Queue } from 'bullmq';
import { ownQueueName, sliceJobId, type InsertBatchData, type WorkerRole } from '@thumbline/worker';
import { appendRaw, readAll, startTestWorker } from './support/pipeline.ts';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';

let env: TestEnv;
const sk = newToken('secret');
const dt = newToken('dashboard');
const NOW = Date.now();
const DAY = new Date(NOW).toISOString().slice(0, 10);
const FROM = new Date(NOW - 86_400_000).toISOString().slice(0, 10);
const CONVERSATIONS = 120;

beforeAll(async () => {
  env = await openTestEnv('partitions');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
});
afterAll(() => env.cleanup());

const worker = (name: string): WorkerRole =>
  startTestWorker(env, { pump: { consumer: name, lingerMs: 10, maintenanceMs: 200, claimIdleMs: 1000 } });

async function api<T>(path: string): Promise<T> {
  const res = await createApiApp(env).request(path, { headers: { authorization: `Bearer ${dt}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function send(events: object[]) {
  const res = await createIngestApp(env).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

describe('partitions', () => {
  it('two workers share the partitions; one stops mid-load; nothing is lost, doubled or shown stale', async () => {
    const a = worker('a');
    const b = worker('b');
    let bStopped = false;
    try {
      // Both hold a share, together all of them, none twice.
      await eventually(
        async () => [a.owned(), b.owned()],
        ([x, y]) =>
          (x?.length ?? 0) > 0 && (y?.length ?? 0) > 0 && (x?.length ?? 0) + (y?.length ?? 0) === env.keys.partitions,
        10_000,
      );
      expect(a.owned().filter((p) => b.owned().includes(p))).toEqual([]);

      // Load in rounds: each conversation's message is thumbed up, then flipped down, then rated.
      const at = NOW - 60_000;
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < CONVERSATIONS; k += 20) {
          const events = [];
          for (let c = k; c < k + 20; c++) {
            if (round === 0) events.push(thumb(`c${c}`, `m${c}`, 'up', at));
            if (round === 1) events.push(thumb(`c${c}`, `m${c}`, 'down', at + 1000));
            if (round === 2) events.push(csat(`c${c}`, { score: (c % 5) + 1 }, at + 2000));
          }
          await send(events);
        }
        // Mid-load, worker b stops: its leases go back and a takes every partition.
        if (round === 1) {
          const moved = Date.now();
          await b.close();
          bStopped = true;
          await eventually(
            async () => a.owned().length,
            (n) => n === env.keys.partitions,
            10_000,
          );
          console.info(
            `the stopped worker's partitions were all held by the other ${Date.now() - moved} ms after it began to stop`,
          );
        }
      }
      const o = await eventually(
        () => api<Overview>(`/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`),
        (v) => v.thumbs.down === CONVERSATIONS && v.csat.rated === CONVERSATIONS,
        30_000,
      );
      const settled = await api<Overview>(`/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`);
      expect(settled.thumbs).toMatchObject({ up: 0, down: CONVERSATIONS });
      expect(settled.csat.rated).toBe(CONVERSATIONS);
      expect(o.csat.average).toBe(3);

      // A batch left in the stopped worker's queue (as a worker that died would leave it) is
      // processed by the live one, which then removes the emptied queue.
      const left = Array.from({ length: 5 }, (_, i) => thumb(`left-${i}`, `left-m${i}`, 'up', at));
      await appendRaw(env.redis, env.keys, 'w', left);
      const entries = await readAll(env.redis, env.keys, 'ghost');
      await env.redis.hset(env.keys.queues, ownQueueName(b.consumer), b.consumer);
      const orphan = new Queue<InsertBatchData>(ownQueueName(b.consumer), {
        connection: env.connect(),
        prefix: env.keys.bull,
      });
      await orphan.add('insert-batch', { entries }, { jobId: sliceJobId(entries) });
      await orphan.close();
      await eventually(
        () => api<Overview>(`/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`),
        (v) => v.thumbs.up === 5,
        15_000,
      );
      await eventually(
        () => env.redis.hexists(env.keys.queues, ownQueueName(b.consumer)),
        (n) => n === 0,
        10_000,
      );

      // Applying every published delta, keeping the greatest version, ends at the inbox's summaries.
      const deltas = (await deltasSince(env.redis, env.keys, 'w', 0)) ?? [];
      const versions = new ConversationVersions();
      const latest = new Map<string, LiveDelta['conversations'][number]>();
      for (const d of deltas) {
        const body = JSON.parse(d.body) as Omit<LiveDelta, 'seq'>;
        for (const c of versions.newer(body.conversations)) latest.set(c.conversation_id, c);
      }
      const inbox = await api<ConversationList>(`/v1/conversations?from=${FROM}&to=${DAY}&tz=UTC&limit=200`);
      expect(inbox.items).toHaveLength(CONVERSATIONS + 5);
      // Deltas carry the summary; the inbox adds its preview and review (CONTRACT §12).
      for (const { preview: _preview, review: _review, ...item } of inbox.items) {
        expect(latest.get(item.conversation_id), item.conversation_id).toEqual(item);
      }
      const final = await api<Overview>(`/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`);
      expect(final.thumbs).toMatchObject({ up: 5, down: CONVERSATIONS });
    } finally {
      await a.close();
      if (!bStopped) await b.close();
    }
  });
});
