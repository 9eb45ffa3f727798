import type { Keys, RedisClient } from '@thumbline/redis';
import { runScript } from './scripts.ts';

/** Deliveries (transitions and tests) a workspace may have queued at once (docs/alerts.md, "Fair shares"). */
export const MAX_QUEUED_DELIVERIES = 1000;

/**
 * Each workspace's queued deliveries, counted exactly: a delivery takes its place when it is
 * queued and gives it back when its job ends for good (delivered, out of attempts, or its
 * rule deleted). Both are idempotent (a set of event ids), so a repeated evaluation or a
 * retried job never counts twice.
 */
export class DeliveryBacklog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly limits: {
      /** Queued deliveries a workspace may have. */
      max: number;
      /** Longer than any delivery stays queued (ms): an older place was never given back. */
      forgetAfterMs: number;
    },
  ) {}

  /**
   * Takes a place for delivery `id` of `ws`. Returns its place in the workspace's queue
   * (1 = first; the same place again when `id` is queued already), or 0 when the workspace
   * has `max` deliveries queued.
   */
  reserve(ws: string, id: string, now = Date.now()): Promise<number> {
    return runScript(
      this.redis,
      'reserveDelivery',
      this.keys.alerts(ws).queued,
      id,
      now,
      this.limits.max,
      this.limits.forgetAfterMs,
    );
  }

  /** Gives delivery `id`'s place back (nothing when it has none). */
  async release(ws: string, id: string): Promise<void> {
    await this.redis.zrem(this.keys.alerts(ws).queued, id);
  }

  /** Deliveries of `ws` queued now. */
  count(ws: string): Promise<number> {
    return this.redis.zcard(this.keys.alerts(ws).queued);
  }
}
