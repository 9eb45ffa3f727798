// The inbox's snapshot from what has been committed, not from a clock (ADR 0005, issue 17):
// a batch registers the time its conversation versions are stamped with (Redis's clock)
// before it inserts them, and leaves once they are stored. Everything stamped at or before
// the watermark is stored.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

const BEGIN = `-- begin: register a batch's summary insert; returns its stamp (ms, Redis's clock)
-- KEYS[1] in-flight batches (sorted set, score = stamp)   ARGV[1] batch id
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now`;

const WATERMARK = `-- watermark: the latest stamp every version at or before which is stored
-- KEYS[1] in-flight batches   ARGV[1] ms after which an entry is a writer that died mid-insert
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]
-- One ms before: a batch registering in this very ms stamps now.
if oldest then return math.min(now, tonumber(oldest)) - 1 end
return now - 1`;

/** An entry this old is a writer that died mid-insert (inserts time out at 30 s); its retry registers again. */
export const INFLIGHT_STALE_MS = 60_000;

export function defineWatermarkScripts(redis: RedisClient): void {
  redis.defineCommand('tlBeginSummaries', { numberOfKeys: 1, lua: BEGIN });
  redis.defineCommand('tlWatermark', { numberOfKeys: 1, lua: WATERMARK });
}

type WithScripts = RedisClient & {
  tlBeginSummaries(key: string, batchId: string): Promise<number>;
  tlWatermark(key: string, staleMs: number): Promise<number>;
};

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
  const stamp = Number(await (redis as WithScripts).tlBeginSummaries(keys.inflight, batchId));
  try {
    return await work(stamp);
  } finally {
    await redis.zrem(keys.inflight, batchId);
  }
}

/** The committed watermark (ms): every conversation version stamped at or before it is stored. */
export async function committedWatermark(redis: RedisClient, keys: Keys): Promise<number> {
  return Number(await (redis as WithScripts).tlWatermark(keys.inflight, INFLIGHT_STALE_MS));
}
