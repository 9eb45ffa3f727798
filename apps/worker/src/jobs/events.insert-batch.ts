import type { Redis } from 'ioredis';
import { writeBatch, type ClickHouse } from '@thumbline/clickhouse';
import {
  applyBatch,
  publishDelta,
  type ApplyBatchOptions,
  type BatchResolution,
  type Keys,
  type StreamEntry,
} from '@thumbline/redis';
import { batchEvents, batchRows, stateItem } from '../batch-rows.ts';
import { workspaceDeltas } from '../deltas.ts';

export const QUEUE = 'events';
export const JOB = 'insert-batch';

/** Job data: the stream entries of one slice. */
export interface InsertBatchData {
  entries: StreamEntry[];
}

export interface InsertBatchDeps {
  redis: Redis;
  keys: Keys;
  ch: ClickHouse;
  state: ApplyBatchOptions;
}

/** Seconds a batch spent in each stage (the stage label of thumbline_batch_stage_seconds). */
export interface StageSeconds {
  state: number;
  clickhouse: number;
  publish: number;
}

/**
 * Processes one slice: resolve dedup and latest-wins state (cached per batch), insert
 * the rows with batch-derived dedup tokens, publish each workspace's live delta (once
 * per batch), and only then report success. Any failure
 * throws, the job is retried, and the retry writes the same rows, which ClickHouse
 * deduplicates.
 */
export async function insertBatch(
  deps: InsertBatchDeps,
  batchId: string,
  data: InsertBatchData,
): Promise<BatchResolution & { events: number; seconds: StageSeconds }> {
  const t0 = performance.now();
  const events = batchEvents(data.entries);
  const res = await applyBatch(deps.redis, deps.keys, batchId, events.map(stateItem), deps.state);
  const t1 = performance.now();
  await writeBatch(deps.ch, batchId, batchRows(events, res));
  const t2 = performance.now();
  // Only now, with the rows committed, may dashboards hear of them.
  for (const { workspaceId, delta } of workspaceDeltas(res)) {
    await publishDelta(deps.redis, deps.keys, batchId, workspaceId, JSON.stringify(delta));
  }
  // Done: the cached resolution was only for retries of this job (a later delivery of the
  // same slice resolves again and finds every event already seen). Kept, it would hold
  // ~200 bytes per event in Redis.
  await deps.redis.del(deps.keys.batch(batchId));
  const t3 = performance.now();
  const seconds = { state: (t1 - t0) / 1000, clickhouse: (t2 - t1) / 1000, publish: (t3 - t2) / 1000 };
  return { ...res, events: events.length, seconds };
}
