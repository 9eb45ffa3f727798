// Two tiers of the worker's state (ADR 0010): with one-second generations, or generations
// that close on a tiny byte budget, everything the second round of events needs (ids, message
// thumbs, conversation ratings) has left Redis for ClickHouse; duplicates still change
// nothing, flips and new ratings still retract exactly, and Redis holds only the hot window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';
import { appendRaw, drain, startTestWorker } from './support/pipeline.ts';
import type { StateOptions } from '@thumbline/batch';

let env: TestEnv;
const HOT_WINDOW_S = 1;
const NOW = Date.now();
const DAY_MS = 86_400_000;

beforeAll(async () => {
  env = await openTestEnv('state-tiers');
});
afterAll(() => env.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function totals(ws: string) {
  const [t] = await env.ch.query<{ up: number; down: number; sum: number; count: number }>(
    `SELECT sum(thumbs_up) AS up, sum(thumbs_down) AS down, sum(csat_sum) AS sum, sum(csat_count) AS count
       FROM feedback_15m WHERE workspace_id = {ws:String}`,
    { ws },
  );
  return { up: Number(t?.up), down: Number(t?.down), sum: Number(t?.sum), count: Number(t?.count) };
}

async function counted(ws: string, want: Awaited<ReturnType<typeof totals>>) {
  const deadline = Date.now() + 20_000;
  let last = await totals(ws);
  while (JSON.stringify(last) !== JSON.stringify(want) && Date.now() < deadline) {
    await sleep(100);
    last = await totals(ws);
  }
  return last;
}

/** Message and conversation state hashes left in Redis, over every partition. */
async function stateKeysInRedis(): Promise<number> {
  let n = 0;
  for (let p = 0; p < env.keys.partitions; p++) n += await env.redis.zcard(env.keys.partition(p).generations);
  return n;
}

const ONE_SECOND: StateOptions = { generationSeconds: HOT_WINDOW_S, generationBytes: 1024 ** 3, recordTtlSeconds: 60 };

/**
 * Two rounds of events on one conversation with the first round's state out of Redis in
 * between: `pushOut` waits or writes until it is.
 */
async function scenario(ws: string, state: StateOptions, pushOut: () => Promise<void>) {
  const w = startTestWorker(env, { state, pump: { consumer: `tiers-${ws}` } });
  try {
    const upM1 = thumb(`${ws}-c1`, `${ws}-m1`, 'up', NOW - 2 * DAY_MS);
    const downM2 = thumb(`${ws}-c1`, `${ws}-m2`, 'down', NOW - 1000);
    const rating = csat(`${ws}-c1`, { score: 2 }, NOW - 1000);
    await appendRaw(env.redis, env.keys, ws, [upM1, downM2, rating]);
    const first = await counted(ws, { up: 1, down: 1, sum: 2, count: 1 });
    await pushOut();
    await appendRaw(env.redis, env.keys, ws, [
      upM1, // the same events again (a client's retry)
      downM2,
      rating,
      thumb(`${ws}-c1`, `${ws}-m1`, 'down', NOW - 2 * DAY_MS + 60_000), // a late flip
      csat(`${ws}-c1`, { score: 5 }, NOW), // a newer rating
    ]);
    const second = await counted(ws, { up: 0, down: 2, sum: 5, count: 1 });
    return { first, second };
  } finally {
    await w.close();
  }
}

/** The first round's state hashes are gone from Redis (dropped after archiving). */
async function firstRoundGone(ws: string): Promise<boolean> {
  const partition = env.keys.partition(env.keys.partitionOf(`${ws}-c1`));
  const generation = Number((await env.redis.hget(partition.generation, 'n')) ?? 0);
  return (await env.redis.exists(partition.state('convs', 0), partition.state('msgs', 0))) === 0 && generation >= 2;
}

async function until(done: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

describe('state in two tiers', () => {
  it('dedups, retracts and re-rates exactly from state that left Redis by time', async () => {
    const { first, second } = await scenario('tiers-a', ONE_SECOND, () => until(() => firstRoundGone('tiers-a')));
    expect(first).toEqual({ up: 1, down: 1, sum: 2, count: 1 });
    expect(second).toEqual({ up: 0, down: 2, sum: 5, count: 1 });
    const archived = await env.ch.query<{ kind: string }>(
      `SELECT kind FROM state_archive FINAL WHERE workspace_id = 'tiers-a' ORDER BY kind, field`,
    );
    expect(archived.map((r) => r.kind)).toEqual(['message', 'message', 'conversation']);
    const [summary] = await env.ch.query<{ thumbs_up: number; thumbs_down: number; score: number }>(
      `SELECT argMax(thumbs_up, version) AS thumbs_up, argMax(thumbs_down, version) AS thumbs_down,
              argMax(score, version) AS score
         FROM conversations WHERE workspace_id = 'tiers-a' AND conversation_id = 'tiers-a-c1'`,
    );
    expect(summary).toEqual({ thumbs_up: 0, thumbs_down: 2, score: 5 });
  });

  it('dedups, retracts and re-rates exactly from state pushed out by the byte budget, long before its time', async () => {
    const ws = 'tiers-b';
    // Generations of an hour that close at 2 KB: other conversations' events fill them.
    const budget: StateOptions = { generationSeconds: 3600, generationBytes: 2048, recordTtlSeconds: 60 };
    const partition = env.keys.partitionOf(`${ws}-c1`);
    const sameP = Array.from({ length: 400 }, (_, i) => `${ws}-other-${i}`).filter(
      (c) => env.keys.partitionOf(c) === partition,
    );
    const { first, second } = await scenario(ws, budget, async () => {
      for (let round = 0; !(await firstRoundGone(ws)); round++) {
        if (round > 50) throw new Error('the budget never closed a generation');
        await appendRaw(
          env.redis,
          env.keys,
          'tiers-filler',
          sameP.slice(0, 10).map((c, i) => thumb(c, `${c}-m${round}-${i}`, 'up', NOW - 1000)),
        );
        await sleep(100);
      }
    });
    expect(first).toEqual({ up: 1, down: 1, sum: 2, count: 1 });
    expect(second).toEqual({ up: 0, down: 2, sum: 5, count: 1 });
    // Redis held at most two generations of the partition, each near its budget.
    const p = env.keys.partition(partition);
    const generation = Number(await env.redis.hget(p.generation, 'n'));
    expect(generation).toBeGreaterThanOrEqual(2);
    for (const g of await env.redis.zrange(p.generations, '0', '-1'))
      expect(Number(g)).toBeGreaterThanOrEqual(generation - 1);
  });

  it('a thumb flipped two months after its state was archived still retracts exactly', async () => {
    const ws = 'tiers-late';
    const { first, second } = await scenario(ws, ONE_SECOND, async () => {
      await until(() => firstRoundGone(ws));
      // Two months pass: the archived state ages, and ClickHouse applies the table's TTL.
      await env.ch.command(
        `ALTER TABLE state_archive UPDATE archived_at = archived_at - toIntervalDay(60) WHERE workspace_id = {ws:String}
         SETTINGS mutations_sync = 2`,
        { ws },
      );
      await env.ch.command('OPTIMIZE TABLE state_archive FINAL');
    });
    expect(first).toEqual({ up: 1, down: 1, sum: 2, count: 1 });
    expect(second).toEqual({ up: 0, down: 2, sum: 5, count: 1 });
  });

  it('keeps only the hot window in Redis', async () => {
    const w = startTestWorker(env, { state: ONE_SECOND, pump: { consumer: 'tiers-idle' } });
    try {
      const deadline = Date.now() + 10_000;
      while ((await stateKeysInRedis()) > 0 && Date.now() < deadline) await sleep(100);
      expect(await stateKeysInRedis()).toBe(0);
    } finally {
      await w.close();
    }
  });
});
