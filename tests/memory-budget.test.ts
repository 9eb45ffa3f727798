// Redis never fills, whatever the load (ADR 0010): on a Redis with a small maxmemory, a load
// well past what it can hold makes ingest push back (503 with Retry-After), every accepted
// event is counted soon after the load stops, and ingest accepts again. The batch state stays
// within its budget: generations close on bytes, go to the archive and leave Redis.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestApp } from '@thumbline/ingest';
import {
  BacklogGuard,
  createKeys,
  createRedisClient,
  CredentialStore,
  newToken,
  whenReady,
  type Keys,
  type RedisClient,
} from '@thumbline/redis';
import { memoryShares, startLocalRedis, type LocalRedis } from '@thumbline/runtime';
import type { WorkerRole } from '@thumbline/worker';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { startTestWorker } from './support/pipeline.ts';

const MAXMEMORY = 32 * 1024 * 1024;
const STATE_SHARE = 0.25;
const PARTITIONS = 4;
const NOW = Date.now();

let env: TestEnv;
let dir: string;
let local: LocalRedis;
let edge: RedisClient;
let keys: Keys;
let guard: BacklogGuard;
let worker: WorkerRole;
const opened: RedisClient[] = [];
const sk = newToken('secret');

beforeAll(async () => {
  env = await openTestEnv('memory_budget');
  dir = mkdtempSync(join(tmpdir(), 'thumbline-memory-'));
  local = await startLocalRedis(join(dir, 'redis'), env.log, { maxmemory: String(MAXMEMORY) });
  const connect = () => {
    const r = createRedisClient(local.url, 'queue');
    r.on('error', () => {});
    opened.push(r);
    return r;
  };
  edge = createRedisClient(local.url, 'edge');
  edge.on('error', () => {});
  await whenReady(edge);
  keys = createKeys(`m${randomUUID().slice(0, 6)}`, PARTITIONS);
  const store = new CredentialStore(edge, keys);
  await store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  const shares = memoryShares(MAXMEMORY, STATE_SHARE, PARTITIONS);
  guard = new BacklogGuard(edge, keys, { maxBacklogBytes: 0, memoryShare: shares.ingestShare }, 50).start();
  const state = { generationSeconds: 3600, generationBytes: shares.generationBytes, recordTtlSeconds: 600 };
  worker = startTestWorker(
    { ...env, redis: edge, keys, store, connect },
    { state, live: shares.live, pump: { consumer: 'memory', maintenanceMs: 200 } },
  );
});

afterAll(async () => {
  await worker?.close();
  guard?.stop();
  for (const r of [edge, ...opened]) r.disconnect();
  await local?.stop();
  rmSync(dir, { recursive: true, force: true });
  await env.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 500 thumbs, each on a new conversation and message: the most state per event. */
const request = (n: number) =>
  Array.from({ length: 500 }, (_, i) => thumb(`c-${n}-${i}`, `m-${n}-${i}`, 'up', NOW - 1000));

async function send(events: object[]) {
  const res = await createIngestApp({
    ...env,
    redis: edge,
    keys,
    store: new CredentialStore(edge, keys),
    backlog: guard,
  }).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.text() };
}

async function counted(): Promise<number> {
  const [row] = await env.ch.query<{ up: string }>(
    "SELECT sum(thumbs_up) AS up FROM feedback_15m WHERE workspace_id = 'w'",
  );
  return Number(row?.up ?? 0);
}

async function usedMemory(): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await edge.info('memory'))?.[1]);
}

describe('a Redis with a small maxmemory under a load past it', () => {
  it('pushes back at ingest, counts every accepted event soon after, accepts again, and never fills', async () => {
    let accepted = 0;
    let refused = 0;
    let peak = 0;
    let n = 0;
    const errors: string[] = [];
    const started = Date.now();
    // Four senders until ingest has pushed back for a while (or 60 s at most).
    let firstRefusal = 0;
    const sender = async () => {
      while (Date.now() - started < 60_000 && (firstRefusal === 0 || Date.now() - firstRefusal < 3000)) {
        const res = await send(request(n++));
        if (res.status === 202) accepted += 500;
        else if (res.status === 503) {
          refused++;
          firstRefusal ||= Date.now();
          expect(Number(res.retryAfter)).toBeGreaterThan(0);
          await sleep(20);
        } else errors.push(`${res.status} ${res.body.slice(0, 200)}`);
      }
    };
    let finished = false;
    const watch = (async () => {
      while (!finished) {
        peak = Math.max(peak, await usedMemory());
        await sleep(100);
      }
    })();
    await Promise.all([sender(), sender(), sender(), sender()]);
    expect(errors).toEqual([]);
    expect(refused).toBeGreaterThan(0); // the load went past what Redis can hold
    expect(accepted).toBeGreaterThan(0);
    // Every accepted event counted soon after the load stopped.
    const stopped = Date.now();
    while ((await counted()) < accepted && Date.now() - stopped < 120_000) await sleep(200);
    finished = true;
    await watch;
    console.info(
      `small-maxmemory load: ${accepted} events accepted, ${refused} answers 503, Redis peak ` +
        `${(peak / 1024 ** 2).toFixed(1)} of ${MAXMEMORY / 1024 ** 2} MB, counted ${Date.now() - stopped} ms after the load`,
    );
    expect(await counted()).toBe(accepted);
    // Redis never reached its limit: the workers always had room.
    expect(peak).toBeLessThan(MAXMEMORY);
    // And ingest accepts again.
    let again = 0;
    for (let i = 0; i < 100 && again !== 202; i++) {
      again = (await send(request(n++).slice(0, 10))).status;
      if (again !== 202) await sleep(200);
    }
    expect(again).toBe(202);
    // The state stays in its budget: each partition holds two generations, and a third only
    // while the oldest is archived (which the pump finishes within seconds).
    const generations = async () =>
      Promise.all(Array.from({ length: PARTITIONS }, (_, p) => edge.zcard(keys.partition(p).generations)));
    for (const n of await generations()) expect(n).toBeLessThanOrEqual(3);
    const settling = Date.now();
    while ((await generations()).some((n) => n > 2) && Date.now() - settling < 15_000) await sleep(200);
    for (const n of await generations()) expect(n).toBeLessThanOrEqual(2);
  }, 300_000);
});
