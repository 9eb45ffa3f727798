// What a batch has written to ClickHouse after its state commit, kept beside its cached
// resolution so a retry or a dead-letter replay, however late, writes each table once (ADR 0008).
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/** The tables this batch's earlier attempts wrote. */
export async function writtenTables(redis: Redis, keys: Keys, batchId: string): Promise<Set<string>> {
  return new Set(await redis.smembers(keys.batchLedger(batchId)));
}

/** Records that `table` holds this batch's rows; kept as long as the cached resolution. */
export async function markWritten(
  redis: Redis,
  keys: Keys,
  batchId: string,
  table: string,
  ttlSeconds: number,
): Promise<void> {
  const key = keys.batchLedger(batchId);
  await redis.multi().sadd(key, table).expire(key, ttlSeconds).exec();
}

/**
 * Forgets a finished batch: its cached resolution, ledger and publish markers. They exist
 * only for attempts of a batch that is not done; a later delivery of the same slice is
 * resolved again and finds every event seen (nothing to write, nothing to publish).
 */
export async function forgetBatch(
  redis: Redis,
  keys: Keys,
  batchId: string,
  workspaceIds: Iterable<string>,
): Promise<void> {
  const markers = [...workspaceIds].map((ws) => keys.published(batchId, ws));
  await redis.del(keys.batch(batchId), keys.batchLedger(batchId), ...markers);
}
