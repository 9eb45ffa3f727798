// One worker process of the state-commit scaling bench (scripts/bench/scaling.ts): holds
// partitions by lease like a real worker, then resolves and commits batches of thumbs on
// conversations of the partitions it holds (Redis side only: no ClickHouse), and prints
// how many events it committed.
import { randomUUID } from 'node:crypto';
import { applyState, type Archive, type StateOptions } from '@thumbline/batch';
import type { BatchItem } from '@thumbline/events';
import { createKeys, createRedisClient, PartitionLeases, whenReady } from '@thumbline/redis';

const url = process.env.REDIS_URL as string;
const prefix = process.env.BENCH_PREFIX as string;
const workers = Number(process.env.BENCH_WORKERS);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const BATCH = 2000;

const redis = createRedisClient(url, 'queue', { cluster: process.env.REDIS_CLUSTER === 'true' });
await whenReady(redis);
const keys = createKeys(prefix, 16);
const leases = new PartitionLeases(redis, keys, `bench-${process.pid}`, { ttlMs: 4000, renewMs: 500 });
leases.start();
// Wait for the fair share: every worker registered, leases settled.
const fair = Math.ceil(keys.partitions / workers);
for (let i = 0; i < 100 && leases.owned().length !== fair; i++) await new Promise((r) => setTimeout(r, 100));
const owned = new Set(leases.owned());
// Conversations of the held partitions: 20 000 of them, messages thumbed up and down in turn.
const conversations: string[] = [];
for (let i = 0; conversations.length < 20_000; i++) {
  const id = `conv-${i}`;
  if (owned.has(keys.partitionOf(id))) conversations.push(id);
}
// Generations that never close in the bench's seconds: nothing is archived (no ClickHouse here).
const state: StateOptions = { generationSeconds: 37 * 86400, generationBytes: 1024 ** 4, recordTtlSeconds: 3600 };
const unused = () => Promise.reject(new Error('the scaling bench never archives'));
const archive: Archive = {
  states: async () => new Map(),
  archivePartition: unused,
};
const ts = Date.now() - 60_000;
let events = 0;
let batch = 0;
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  const items: BatchItem[] = [];
  for (let i = 0; i < BATCH; i++) {
    const c = conversations[(batch * BATCH + i) % conversations.length] as string;
    items.push({
      w: 'bench',
      r: `${String(batch).padStart(8, '0')}-${String(i).padStart(5, '0')}`,
      e: {
        event_id: randomUUID(),
        type: 'message.feedback',
        ts: ts + batch,
        conversation_id: c,
        message_id: `${c}-m`,
        thumb: batch % 2 ? 'down' : 'up',
      },
    });
  }
  await applyState({ redis, keys, state, archive }, `${process.pid}-${batch}`, items);
  events += BATCH;
  batch++;
}
const elapsed = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ events, seconds: elapsed, partitions: owned.size })}\n`);
await leases.stop();
redis.disconnect();
