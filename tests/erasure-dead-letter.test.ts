// Erasure and dead letters (CONTRACT §14, docs/operations.md "Erasure"): a batch holding an
// erased conversation's events and another conversation's, which committed its state and then
// failed its last attempt, is a dead letter whose error text came from ClickHouse quoting a value
// of the erased conversation. Its failedReason and stacktrace never hold that value; after the
// erasure its replay counts the other conversation's events exactly once and the erased one's not
// at all.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { newToken } from '@thumbline/redis';
import { replayDeadLetters, type InsertBatchData, type WorkerRole } from '@thumbline/worker';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, message, thumb } from './support/events.ts';
import { startTestWorker } from './support/pipeline.ts';
import { FlakyClickHouse } from './support/flaky-clickhouse.ts';
import { redisKeysHolding } from './support/redis-scan.ts';

const WS = 'wdl';
const MARK = `zq${randomUUID().slice(0, 8)}`;
const tokens = { admin: newToken('admin'), sk: newToken('secret') };
const NOW = Date.now();
let env: TestEnv;
let worker: WorkerRole;
let flaky: QuotingClickHouse;

/**
 * Inserts into `failTable` fail with ClickHouse's own error text for a value of the batch: the
 * real engine is asked to parse `quoted` as a number, as it would quote a refused row's value.
 */
class QuotingClickHouse extends FlakyClickHouse {
  quoted = '';
  override async insert(...args: Parameters<FlakyClickHouse['insert']>) {
    if (args[0] === this.failTable) {
      this.failures++;
      await this.query('SELECT toUInt8({v:String}) AS n', { v: this.quoted });
      throw new Error('the engine accepted what it should refuse');
    }
    return super.insert(...args);
  }
}

const call = (path: string, token: string, init: RequestInit = {}) =>
  createApiApp(env).request(path, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });

async function totals() {
  const [t] = await env.ch.query<{ up: string; down: string; n: string; sum: string }>(
    `SELECT sum(thumbs_up) AS up, sum(thumbs_down) AS down, sum(csat_count) AS n, sum(csat_sum) AS sum
       FROM feedback_15m WHERE workspace_id = {ws:String}`,
    { ws: WS },
  );
  return { up: Number(t?.up), down: Number(t?.down), rated: Number(t?.n), score: Number(t?.sum) };
}

async function eventsOf(conversation: string): Promise<number> {
  const [row] = await env.ch.query<{ n: string }>(
    'SELECT count() AS n FROM events WHERE workspace_id = {ws:String} AND conversation_id = {c:String}',
    { ws: WS, c: conversation },
  );
  return Number(row?.n);
}

async function batchQueues(): Promise<Queue<InsertBatchData>[]> {
  const names = await env.redis.hkeys(env.keys.queues);
  return names.map((name) => new Queue<InsertBatchData>(name, { connection: env.connect(), prefix: env.keys.bull }));
}

beforeAll(async () => {
  env = await openTestEnv('erasure-dl');
  await env.store.saveWorkspace({ id: WS, tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(tokens.admin, { workspace_id: WS, kind: 'admin' });
  await env.store.addToken(tokens.sk, { workspace_id: WS, kind: 'secret' });
  flaky = new QuotingClickHouse(env.ch);
  worker = startTestWorker(env, { ch: flaky, retry: { attempts: 1, baseMs: 50, maxMs: 50 } });
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await env?.cleanup();
});

describe('erasure of a dead letter’s conversation', () => {
  it('leaves no value in its error text and its replay counts the other conversations once', async () => {
    const erased = `conv-${MARK}`;
    const partitionOf = (c: string) => env.keys.partitionOf(c);
    // One kept conversation in the erased one's partition (its cached resolution is re-indexed),
    // one in another partition (its cached resolution is left as it was).
    const candidates = Array.from({ length: 200 }, (_, i) => `keep-${i}`);
    const same = candidates.find((c) => partitionOf(c) === partitionOf(erased)) as string;
    const other = candidates.find((c) => partitionOf(c) !== partitionOf(erased)) as string;
    expect(same && other).toBeTruthy();

    // The batch fails after its commit: writing the signed changes (the summaries stage).
    flaky.failTable = 'feedback_changes';
    flaky.quoted = `reason ${MARK}`;
    const res = await createIngestApp(env).request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.sk}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          // The erased conversation's events first: the kept ones' indexes move when they go.
          message(erased, `${erased}-a`, 'assistant', `answer ${MARK}`, NOW - 5000),
          thumb(erased, `${erased}-a`, 'down', NOW - 4900),
          csat(erased, { score: 1 }, NOW - 4800, { reason: `reason ${MARK}` }),
          thumb(same, `${same}-a`, 'up', NOW - 4700),
          csat(same, { score: 5 }, NOW - 4600),
          thumb(other, `${other}-a`, 'up', NOW - 4500),
        ],
      }),
    });
    expect(res.status).toBe(202);

    const queues = await batchQueues();
    try {
      const dead = await vi.waitFor(
        async () => {
          const failed = (await Promise.all(queues.map((q) => q.getFailed(0, -1)))).flat();
          // Every event in a dead letter (one batch per partition, or one for both), each settled:
          // its entries copied into it (a dead letter holds no stream).
          const held = failed.flatMap((job) => job.data.entries ?? []).reduce((n, e) => n + e.count, 0);
          expect(held).toBe(6);
          return failed;
        },
        { timeout: 30_000, interval: 100 },
      );
      // Committed before failing: the events are stored, the signed changes are not.
      expect(await eventsOf(same)).toBe(2);
      expect(await totals()).toEqual({ up: 0, down: 0, rated: 0, score: 0 });

      // ClickHouse's error quoted the value; the dead letter kept its code and shape, not the value.
      const quotedByEngine = await env.ch.query('SELECT toUInt8({v:String}) AS n', { v: `reason ${MARK}` }).then(
        () => '',
        (err: unknown) => String((err as Error).message),
      );
      expect(quotedByEngine).toContain(MARK);
      for (const job of dead) {
        expect(job.failedReason).not.toContain(MARK);
        expect(job.failedReason).toMatch(/Code: \d+/);
        expect((job.stacktrace ?? []).join('\n')).not.toContain(MARK);
      }

      // Erase the conversation; then the operator replays the dead letters, ClickHouse healed.
      const accepted = await call(`/v1/conversations/${erased}`, tokens.admin, { method: 'DELETE' });
      expect(accepted.status).toBe(202);
      const { erasure_id } = (await accepted.json()) as { erasure_id: string };
      await vi.waitFor(
        async () => {
          const body = (await (await call(`/v1/erasures/${erasure_id}`, tokens.admin)).json()) as { status: string };
          expect(body.status).toBe('done');
        },
        { timeout: 60_000, interval: 200 },
      );
      for (const job of (await Promise.all(queues.map((q) => q.getFailed(0, -1)))).flat()) {
        expect(JSON.stringify(job.data)).not.toContain(MARK);
        expect(job.failedReason).not.toContain(MARK);
      }
      // Nor its cached resolutions (strings) or the job hashes: no key or value of the install.
      expect(await redisKeysHolding(env.redis, env.keys.prefix, MARK)).toEqual([]);
      flaky.failTable = null;
      let replayed = 0;
      for (const q of queues) replayed += await replayDeadLetters(q);
      expect(replayed).toBe(dead.length);
      await vi.waitFor(
        async () => {
          const failed = (await Promise.all(queues.map((q) => q.getFailed(0, -1)))).flat();
          const waiting = (await Promise.all(queues.map((q) => q.getJobCounts('wait', 'active', 'delayed')))).map(
            (c) => (c.wait ?? 0) + (c.active ?? 0) + (c.delayed ?? 0),
          );
          expect(failed).toHaveLength(0);
          expect(waiting.every((n) => n === 0)).toBe(true);
        },
        { timeout: 30_000, interval: 100 },
      );
      // The kept conversations count once; the erased one not at all.
      expect(await totals()).toEqual({ up: 2, down: 0, rated: 1, score: 5 });
      expect(await eventsOf(same)).toBe(2);
      expect(await eventsOf(other)).toBe(1);
      expect(await eventsOf(erased)).toBe(0);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
    }
  }, 120_000);
});
