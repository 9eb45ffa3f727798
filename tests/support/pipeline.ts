// Pipeline steps for tests, on every partition stream: reading what ingest appended, the
// worker's batch step run synchronously (the same scripts and inserts as production,
// without waiting for BullMQ), and appending raw entries past ingest's checks.
import { createWorker, insertBatch, sliceJobId, type WorkerDeps, type WorkerRole } from '@thumbline/worker';
import {
  ack,
  ensureGroup,
  readGroup,
  streamLength,
  type Keys,
  type RedisClient,
  type StreamEntry,
} from '@thumbline/redis';
import type { TestEnv } from './harness.ts';

/** What `consumer` reads now from every partition (new entries, or its own pending ones with '0'). */
export async function readAll(
  redis: RedisClient,
  keys: Keys,
  consumer: string,
  from: '>' | '0' = '>',
): Promise<StreamEntry[]> {
  const out: StreamEntry[] = [];
  for (let p = 0; p < keys.partitions; p++) {
    const partition = keys.partition(p);
    await ensureGroup(redis, keys, partition);
    out.push(...(await readGroup(redis, keys, partition, consumer, { count: 1000, from })));
  }
  return out;
}

/** Entries read but not acknowledged, in every partition. */
export async function pendingCount(redis: RedisClient, keys: Keys): Promise<number> {
  let n = 0;
  for (let p = 0; p < keys.partitions; p++) {
    const stream = keys.partition(p).stream;
    if ((await redis.exists(stream)) === 0) continue;
    n += ((await redis.xpending(stream, keys.group)) as [number])[0];
  }
  return n;
}

/** Entries in every partition stream. */
export const entriesInStreams = (redis: RedisClient, keys: Keys) => streamLength(redis, keys);

/** Appends events as ingest would have (one entry per partition), skipping its checks (an older ingest, a bug). */
export async function appendRaw(redis: RedisClient, keys: Keys, ws: string, events: { conversation_id: string }[]) {
  const byPartition = new Map<number, object[]>();
  for (const e of events) {
    const p = keys.partitionOf(e.conversation_id);
    byPartition.set(p, [...(byPartition.get(p) ?? []), e]);
  }
  for (const [p, list] of byPartition) {
    await redis.xadd(keys.partition(p).stream, '*', 'ws', ws, 'n', String(list.length), 'ev', JSON.stringify(list));
  }
}

/** Runs the worker's batch step on everything in the streams; returns the events processed. */
export async function drain(env: TestEnv): Promise<number> {
  let events = 0;
  for (;;) {
    const entries = await readAll(env.redis, env.keys, 'test-drain');
    if (entries.length === 0) return events;
    const res = await insertBatch(env, sliceJobId(entries), { entries });
    events += res.events;
    await ack(env.redis, env.keys, entries);
  }
}

/**
 * A running worker on the test env's Redis and ClickHouse, with test-speed pump and lease
 * timings; `overrides` change any of its settings (its ClickHouse, retries, consumer...).
 */
export function startTestWorker(
  env: TestEnv,
  overrides: Partial<Omit<WorkerDeps, 'pump'>> & { pump?: Partial<WorkerDeps['pump']> } = {},
): WorkerRole {
  const { pump, ...rest } = overrides;
  const w = createWorker({
    connect: env.connect,
    redis: env.redis,
    keys: env.keys,
    ch: env.ch,
    log: env.log,
    metrics: env.metrics,
    concurrency: 2,
    state: env.state,
    leases: { ttlMs: 1500, renewMs: 300 },
    ...rest,
    // Every read cut by partition group, however small: the tests' loads are (npm start's e2e tests keep the default).
    pump: { consumer: 'test', lingerMs: 5, maintenanceMs: 100, splitFromEvents: 0, ...pump },
  });
  w.start();
  return w;
}
