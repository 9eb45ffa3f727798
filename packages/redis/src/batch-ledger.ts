// What a batch has written to ClickHouse after its state commit, kept beside its cached
// resolution so a retry or a dead-letter replay, however late, writes each table once (ADR 0008).
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

/** The tables this batch's earlier attempts wrote. */
export async function writtenTables(redis: RedisClient, keys: Keys, batchId: string): Promise<Set<string>> {
  return new Set(await redis.smembers(keys.batchLedger(batchId)));
}

/** Records that `table` holds this batch's rows; kept as long as the cached resolution. */
export async function markWritten(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  table: string,
  ttlSeconds: number,
): Promise<void> {
  const key = keys.batchLedger(batchId);
  await redis.multi().sadd(key, table).expire(key, ttlSeconds).exec();
}

/**
 * Forgets a finished batch: its cached resolutions (one per partition), ledger and publish markers. They exist
 * only for attempts of a batch that is not done; a later delivery of the same slice is
 * resolved again and finds every event seen (nothing to write, nothing to publish).
 */
export async function forgetBatch(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  partitions: Iterable<number>,
  workspaceIds: Iterable<string>,
): Promise<void> {
  const gone = [
    keys.batchLedger(batchId),
    ...[...partitions].map((p) => keys.partition(p).batch(batchId)),
    ...[...workspaceIds].map((ws) => keys.published(batchId, ws)),
  ];
  // One DEL per key: on a cluster they live in different slots.
  await Promise.all(gone.map((key) => redis.del(key)));
}
