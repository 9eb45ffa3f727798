// Runs the worker's batch step on everything in the stream, synchronously: the same Lua
// state script and ClickHouse inserts as production, without waiting for BullMQ.
import { insertBatch, sliceJobId } from '@thumbline/worker';
import { ack, ensureGroup, readGroup } from '@thumbline/redis';
import type { TestEnv } from './harness.ts';

export async function drain(env: TestEnv): Promise<number> {
  await ensureGroup(env.redis, env.keys);
  let events = 0;
  for (;;) {
    const entries = await readGroup(env.redis, env.keys, 'test-drain', { count: 1000, from: '>' });
    if (entries.length === 0) return events;
    const res = await insertBatch(env, sliceJobId(entries), { entries });
    events += res.events;
    await ack(
      env.redis,
      env.keys,
      entries.map((e) => e.id),
    );
  }
}
