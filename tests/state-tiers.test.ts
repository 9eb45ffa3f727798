// Two tiers of the worker's state (ADR 0010): with a one-second hot window, everything the
// second round of events needs (ids, message thumbs, conversation ratings) has left Redis
// for ClickHouse; duplicates still change nothing, flips and new ratings still retract
// exactly, and Redis holds only the hot window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';
import { appendRaw, drain, startTestWorker } from './support/pipeline.ts';
import type { WorkerDeps } from '@thumbline/worker';

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

async function scenario(ws: string, cold: WorkerDeps['cold']) {
  const w = startTestWorker(env, {
    state: { dedupTtlSeconds: HOT_WINDOW_S, stateTtlSeconds: HOT_WINDOW_S, resultTtlSeconds: 60 },
    pump: { consumer: `tiers-${ws}` },
    ...(cold === null ? { cold: null } : {}),
  });
  try {
    const upM1 = thumb(`${ws}-c1`, `${ws}-m1`, 'up', NOW - 2 * DAY_MS);
    const downM2 = thumb(`${ws}-c1`, `${ws}-m2`, 'down', NOW - 1000);
    const rating = csat(`${ws}-c1`, { score: 2 }, NOW - 1000);
    await appendRaw(env.redis, env.keys, ws, [upM1, downM2, rating]);
    const first = await counted(ws, { up: 1, down: 1, sum: 2, count: 1 });
    // Three generations later nothing of the first round is in Redis's hot window.
    await sleep(3500);
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

describe('state in two tiers', () => {
  it('dedups, retracts and re-rates exactly from state that left Redis', async () => {
    const { first, second } = await scenario('tiers-a', undefined);
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

  it('an install upgraded from one tier archives the state the old build left, and stays exact', async () => {
    const ws = 'tiers-up';
    const legacy = { dedupTtlSeconds: 8 * 86_400, stateTtlSeconds: 37 * 86_400, resultTtlSeconds: 60 };
    const upM1 = thumb(`${ws}-c1`, `${ws}-m1`, 'up', NOW - 3_600_000);
    const rating = csat(`${ws}-c1`, { score: 2 }, NOW - 3_600_000);
    // The old build: state in Redis only, in generations of 37 days.
    await appendRaw(env.redis, env.keys, ws, [upM1, rating]);
    await drain({ ...env, state: legacy });
    expect(await totals(ws)).toEqual({ up: 1, down: 0, sum: 2, count: 1 });
    await env.redis.del(env.keys.tiersSince); // as if the new build had never run here
    const upgraded = { dedupTtlSeconds: HOT_WINDOW_S, stateTtlSeconds: HOT_WINDOW_S, resultTtlSeconds: 60 };
    const w = startTestWorker(env, {
      state: { ...upgraded, legacyStateTtlSeconds: legacy.stateTtlSeconds },
      pump: { consumer: 'tiers-up' },
    });
    try {
      await appendRaw(env.redis, env.keys, ws, [
        upM1, // accepted by the old build: still a duplicate
        thumb(`${ws}-c1`, `${ws}-m1`, 'down', NOW - 60_000),
        csat(`${ws}-c1`, { score: 5 }, NOW),
      ]);
      expect(await counted(ws, { up: 0, down: 1, sum: 5, count: 1 })).toEqual({ up: 0, down: 1, sum: 5, count: 1 });
    } finally {
      await w.close();
    }
  });

  it('keeps only the hot window in Redis', async () => {
    await sleep(3500); // the worker of the last test archived what it could; a new one finishes
    const w = startTestWorker(env, {
      state: { dedupTtlSeconds: HOT_WINDOW_S, stateTtlSeconds: HOT_WINDOW_S, resultTtlSeconds: 60 },
      pump: { consumer: 'tiers-idle' },
    });
    try {
      const deadline = Date.now() + 10_000;
      while ((await stateKeysInRedis()) > 0 && Date.now() < deadline) await sleep(100);
      expect(await stateKeysInRedis()).toBe(0);
    } finally {
      await w.close();
    }
  });
});
