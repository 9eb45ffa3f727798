// The inbox's snapshot from what has been committed, not from a clock (ADR 0005, issue 17):
// a batch registers the time its conversation versions are stamped with (Redis's clock)
// before it inserts them, and leaves once they are stored. Everything stamped at or before
// the watermark is stored.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';
import { runRedisLua } from './scripts.ts';

/** An entry this old is a writer that died mid-insert (inserts time out at 30 s); its retry registers again. */
export const INFLIGHT_STALE_MS = 60_000;

/**
 * Stamps and registers a batch's summary insert; run `work(stamp)` (the insert, its
 * versions' `committed_at` = stamp), then leaves, whether it succeeded or not.
 */
export async function withCommitStamp<T>(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  work: (stampMs: number) => Promise<T>,
): Promise<T> {
  const stamp = Number(await runRedisLua<number>(redis, 'begin-summaries', [keys.inflight], [batchId]));
  try {
    return await work(stamp);
  } finally {
    await redis.zrem(keys.inflight, batchId);
  }
}

/** The committed watermark (ms): every conversation version stamped at or before it is stored. */
export async function committedWatermark(redis: RedisClient, keys: Keys): Promise<number> {
  return Number(await runRedisLua<number>(redis, 'committed-watermark', [keys.inflight], [INFLIGHT_STALE_MS]));
}
