// The pipeline end to end in one process, on real Redis, BullMQ and embedded ClickHouse:
// ingest → stream → pump → job → worker → ClickHouse → overview. Crash points are
// reproduced by running the pieces up to the point of the crash, then recovering.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { insertBatch, ownQueueName, sliceJobId, type InsertBatchData, type WorkerRole } from '@thumbline/worker';
import { createKeys, CredentialStore, SettingsStore, newToken, type Keys } from '@thumbline/redis';
import type { Overview } from '@thumbline/events';
import { applyState, batchEvents, eventRows, stateItem } from '@thumbline/batch';
import { writeEvents } from '@thumbline/clickhouse';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';
import { drain, entriesInStreams, pendingCount, readAll, startTestWorker } from './support/pipeline.ts';

let env: TestEnv;
let ws = '';
let sk = '';
let dt = '';
const DAY = '2026-11-20';
const AT = Date.parse(`${DAY}T10:00:00Z`);
const NOW = Date.parse('2026-11-24T12:00:00Z');

beforeAll(async () => {
  env = await openTestEnv('pipeline');
});
afterAll(() => env.cleanup());

// Each test gets its own workspace and key prefix, so tests never see each other's data.
beforeEach(async () => {
  ws = `w${Math.random().toString(36).slice(2, 8)}`;
  env.keys = createKeys(`p${Math.random().toString(36).slice(2, 8)}`);
  env.store = new CredentialStore(env.redis, env.keys);
  env.settings = new SettingsStore(env.redis, env.keys);
  sk = newToken('secret');
  dt = newToken('dashboard');
  await env.store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(sk, { workspace_id: ws, kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: ws, kind: 'dashboard' });
});

function ingest(events: object[]) {
  const app = createIngestApp({ ...env, maxEventAgeDays: 30, now: () => NOW });
  return app.request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
}

async function overview(from = DAY, to = DAY): Promise<Overview> {
  const res = await createApiApp(env).request(`/v1/analytics/overview?from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${dt}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Overview;
}

const startWorker = (keys: Keys = env.keys, consumer = 'test', claimIdleMs = 60_000): WorkerRole =>
  startTestWorker(env, { keys, pump: { consumer, claimIdleMs } });

const totals = (o: Overview) => ({
  up: o.thumbs.up,
  down: o.thumbs.down,
  rated: o.csat.rated,
  average: o.csat.average,
});

describe('pipeline', () => {
  it('counts ingested thumbs and CSAT in the overview, latest wins, duplicates once', async () => {
    const flip = thumb('c1', 'm1', 'up', AT);
    const dup = thumb('c2', 'm2', 'down', AT);
    const res = await ingest([
      flip,
      thumb('c1', 'm1', 'down', AT + 60_000), // m1: up → down
      dup,
      dup, // same event_id twice
      thumb('c1', 'm3', 'up', AT),
      csat('c1', { score: 4 }, AT),
      csat('c2', { thumb: 'down' }, AT),
    ]);
    expect(res.status).toBe(202);
    const worker = startWorker();
    try {
      const o = await eventually(overview, (o) => o.thumbs.up + o.thumbs.down === 3 && o.csat.rated === 2);
      expect(totals(o)).toEqual({ up: 1, down: 2, rated: 2, average: 2.5 });
      expect(o.csat.daily).toEqual([
        { day: DAY, average: 2.5, rated: 2, csat_sum: 5, thumbs_up: 1, thumbs_down: 2, prompted: 0, responded: 0 },
      ]);
      // The same events again (a client resending): nothing changes.
      await ingest([flip, dup]);
      await new Promise((r) => setTimeout(r, 500));
      expect(totals(await overview())).toEqual({ up: 1, down: 2, rated: 2, average: 2.5 });
    } finally {
      await worker.close();
    }
  });

  it('an event_id in upper case is the same event (UUIDs are case-insensitive)', async () => {
    const lower = thumb('c1', 'm1', 'up', AT);
    const upper = { ...lower, event_id: lower.event_id.toUpperCase(), thumb: 'down' };
    expect((await ingest([lower])).status).toBe(202);
    expect((await ingest([upper])).status).toBe(202);
    await drain(env);
    expect(totals(await overview())).toMatchObject({ up: 1, down: 0 });
    const rows = await env.ch.query<{ event_id: string }>(
      'SELECT toString(event_id) AS event_id FROM events WHERE workspace_id = {ws:String}',
      { ws },
    );
    expect(rows).toEqual([{ event_id: lower.event_id }]);
  });

  it('a batch job retried after a crash writes nothing twice', async () => {
    await ingest([thumb('c1', 'm1', 'up', AT), thumb('c1', 'm2', 'down', AT), csat('c1', { score: 5 }, AT)]);
    const entries = await readAll(env.redis, env.keys, 'crashy');
    const data: InsertBatchData = { entries };
    const batchId = sliceJobId(entries);
    const deps = env;
    // Crash 1: the events' raw rows stored and the state committed, nothing counted yet.
    const events = batchEvents(entries);
    await applyState(env, batchId, events.map(stateItem), async (r) => {
      await writeEvents(env.ch, batchId, eventRows(events, r));
      return [];
    });
    // Retry, then a second retry after a crash between insert and job completion.
    await insertBatch(deps, batchId, data);
    await insertBatch(deps, batchId, data);
    expect(totals(await overview())).toEqual({ up: 1, down: 1, rated: 1, average: 5 });
    const [row] = await env.ch.query<{ n: string }>(
      'SELECT count() AS n FROM events WHERE workspace_id = {ws:String}',
      { ws },
    );
    expect(Number(row?.n)).toBe(3);
  });

  it("entries read by a pump that died before queueing are taken over by the partition's next holder", async () => {
    await ingest([thumb('c1', 'm1', 'up', AT), thumb('c2', 'm2', 'up', AT)]);
    const read = await readAll(env.redis, env.keys, 'same-host');
    expect(read.reduce((n, e) => n + e.count, 0)).toBe(2); // read, never queued, never acknowledged: the pump "died"
    const worker = startWorker(env.keys, 'same-host', 50);
    try {
      const o = await eventually(overview, (o) => o.thumbs.up === 2);
      expect(o.thumbs.up).toBe(2);
    } finally {
      await worker.close();
    }
    expect(await pendingCount(env.redis, env.keys)).toBe(0);
  });

  it("another consumer takes over a dead consumer's pending entries", async () => {
    await ingest([thumb('c1', 'm1', 'down', AT)]);
    await readAll(env.redis, env.keys, 'dead-host');
    const worker = startWorker(env.keys, 'other-host', 50);
    try {
      const o = await eventually(overview, (o) => o.thumbs.down === 1);
      expect(o.thumbs.down).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it('a job a dead worker queued before acknowledging is taken over and counts once', async () => {
    await ingest([thumb('c1', 'm1', 'up', AT), csat('c1', { score: 3 }, AT)]);
    const entries = await readAll(env.redis, env.keys, 'dead-host');
    // The dead worker's own queue, registered, with the job it added before it "died" (no XACK, no heartbeat).
    const deadQueue = ownQueueName('dead-host-1-abc');
    await env.redis.hset(env.keys.queues, deadQueue, 'dead-host-1-abc');
    const queue = new Queue<InsertBatchData>(deadQueue, { connection: env.connect(), prefix: env.keys.bull });
    await queue.add('insert-batch', { entries }, { jobId: sliceJobId(entries) });
    const worker = startWorker(env.keys, 'same-host', 50);
    try {
      await eventually(overview, (o) => o.thumbs.up === 1 && o.csat.rated === 1);
      // The dead worker's queue is processed by the live one, emptied and unregistered...
      await eventually(
        () => env.redis.hexists(env.keys.queues, deadQueue),
        (n) => n === 0,
        10_000,
      );
      // ...and its entries, taken over and queued again, count once.
      await new Promise((r) => setTimeout(r, 300));
      expect(totals(await overview())).toEqual({ up: 1, down: 0, rated: 1, average: 3 });
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('acknowledged entries are trimmed from the stream', async () => {
    await ingest([thumb('c1', 'm1', 'up', AT)]);
    await ingest([thumb('c1', 'm2', 'up', AT)]);
    const worker = startWorker();
    try {
      await eventually(overview, (o) => o.thumbs.up === 2);
      await eventually(
        () => entriesInStreams(env.redis, env.keys),
        (n) => n <= 1,
        5000,
      );
    } finally {
      await worker.close();
    }
  });
});
