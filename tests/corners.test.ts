// Exactness in the corners found by reading the batch path (issue 22): two copies of one event
// in two batches of two workers during a lease hand-over, one of whose commits fails and is
// retried; and a copy whose batch stored its raw row, never committed and was dropped (a dead
// letter nobody replays), beside a copy that arrives later. Each counts once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickHouseArchive, processBatch, type BatchDeps } from '@thumbline/batch';
import { createKeys, createRedisClient, whenReady, type Keys, type RedisClient } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { appendRaw, readAll } from './support/pipeline.ts';
import { FlakyClickHouse } from './support/flaky-clickhouse.ts';

let env: TestEnv;
let other: RedisClient;
const NOW = Date.now();

beforeAll(async () => {
  env = await openTestEnv('corners');
  // A second worker process: its own connection, so its batches do not take turns with the first's.
  other = createRedisClient(env.redisUrl, 'edge', { cluster: env.redisCluster });
  await whenReady(other);
});
afterAll(async () => {
  other.disconnect();
  await env.cleanup();
});

async function totals(ws: string) {
  const [t] = await env.ch.query<{ up: string; down: string }>(
    'SELECT sum(thumbs_up) AS up, sum(thumbs_down) AS down FROM feedback_15m WHERE workspace_id = {ws:String}',
    { ws },
  );
  return { up: Number(t?.up), down: Number(t?.down) };
}

/** A connection whose next `times` state commits fail (Redis refusing or a lost reply). */
function failingCommits(redis: RedisClient, times: number): RedisClient {
  let left = times;
  return new Proxy(redis, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        // commit-state.lua is the script with six keys, one of them the generation record.
        const isCommit =
          (prop === 'evalsha' || prop === 'eval') && args[1] === 6 && args.some((a) => String(a).endsWith(':gen'));
        if (isCommit && left > 0) {
          left--;
          throw new Error('injected: commit failed');
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** One batch per copy: the same event appended twice (a request cut by a crash, then resent). */
async function twoCopies(keys: Keys, ws: string, event: object) {
  const batches = [];
  for (let i = 0; i < 2; i++) {
    await appendRaw(env.redis, keys, ws, [event as { conversation_id: string }]);
    const entries = await readAll(env.redis, keys, `copy-${i}`);
    batches.push({ id: `${ws}-copy-${i}`, data: { entries } });
  }
  return batches as [(typeof batches)[number], (typeof batches)[number]];
}

describe('corners of exactness', () => {
  it('two copies in two workers’ batches, one commit failing and retried, count once', async () => {
    const keys = createKeys(`k${randomUUID().slice(0, 6)}`);
    const ws = 'corner-a';
    const deps: BatchDeps = { ...env, keys };
    const [a, b] = await twoCopies(keys, ws, thumb('ca', 'ma', 'up', NOW - 1000));
    // Worker 1 resolves and stores copy a, its commit fails; meanwhile worker 2 takes b whole.
    const first = processBatch({ ...deps, redis: failingCommits(env.redis, 1) }, a.id, a.data);
    const second = processBatch({ ...deps, redis: other }, b.id, b.data);
    const [r1, r2] = await Promise.allSettled([first, second]);
    expect(r1.status === 'rejected' || r2.status === 'rejected').toBe(true);
    // Each is retried (the lease moved: by the other worker) until it succeeds.
    for (const [batch, redis] of [
      [a, other],
      [b, env.redis],
    ] as const) {
      await processBatch({ ...deps, redis }, batch.id, batch.data);
    }
    expect(await totals(ws)).toEqual({ up: 1, down: 0 });
  });

  it('a copy whose batch stored its row and never committed does not hide a later copy; a late replay adds nothing', async () => {
    const keys = createKeys(`d${randomUUID().slice(0, 6)}`);
    const ws = 'corner-b';
    const flaky = new FlakyClickHouse(env.ch);
    // Every commit closes its generation: state leaves Redis for the archive within a few batches.
    const state = { ...env.state, generationBytes: 1 };
    const deps: BatchDeps = { ...env, keys, state, ch: flaky, archive: clickHouseArchive(env.redis, flaky, state) };
    const partition = keys.partitionOf('cb');
    const neighbours = Array.from({ length: 500 }, (_, i) => `cb-${i}`).filter(
      (c) => keys.partitionOf(c) === partition,
    );
    let filled = 0;
    /** Batches of other conversations of the same partition, until cb's state is only in the archive. */
    const pushOut = async () => {
      for (let i = 0; i < 4; i++) {
        const c = neighbours[filled++ % neighbours.length] as string;
        await appendRaw(env.redis, keys, ws, [thumb(c, `${c}-m`, 'up', NOW - 1000)]);
        const entries = await readAll(env.redis, keys, 'filler');
        await processBatch(deps, `filler-${filled}`, { entries });
      }
    };
    const [dead, later] = await twoCopies(keys, ws, thumb('cb', 'mb', 'down', NOW - 3 * 86_400_000));
    // The first batch stores the event's raw row, then every commit fails: it becomes a dead letter.
    await expect(processBatch({ ...deps, redis: failingCommits(env.redis, 100) }, dead.id, dead.data)).rejects.toThrow(
      /injected/,
    );
    const [row] = await env.ch.query<{ n: string }>(
      'SELECT count() AS n FROM events WHERE workspace_id = {ws:String}',
      {
        ws,
      },
    );
    expect(Number(row?.n)).toBe(1);
    // The dead letter is dropped, never replayed: the copy that comes later is counted, however
    // many generations went by.
    await pushOut();
    const before = await totals(ws);
    await processBatch(deps, later.id, later.data);
    expect(await totals(ws)).toEqual({ up: before.up, down: before.down + 1 });
    // Replayed after all (an operator kept it), once cb's state is only in the archive: nothing more.
    await pushOut();
    const p = keys.partition(partition);
    expect(Number(await env.redis.hget(p.generation, 'n'))).toBeGreaterThan(4);
    expect(await env.redis.get(p.archived)).not.toBeNull();
    const settled = await totals(ws);
    await processBatch(deps, dead.id, dead.data);
    expect(await totals(ws)).toEqual(settled);
  });
});
