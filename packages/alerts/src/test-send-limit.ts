import type { Keys, RedisClient } from '@thumbline/redis';

/** Test sends (`POST /v1/alerts/rules/{id}/test`) a workspace may make per minute. */
export const TEST_SENDS_PER_MINUTE = 10;

/**
 * The rate limit of test sends, per workspace, in fixed UTC minutes: a test is a person
 * checking a receiver, never a stream, and every one of them takes delivery slots.
 */
export class TestSendLimit {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly perMinute = TEST_SENDS_PER_MINUTE,
  ) {}

  /**
   * Counts one test send of `ws`. Returns 0 when it is allowed, else the seconds until the
   * next minute, when it will be (Retry-After).
   */
  async take(ws: string, now = Date.now()): Promise<number> {
    const minute = Math.floor(now / 60_000);
    const key = this.keys.alerts(ws).testSends(minute);
    const res = await this.redis.multi().incr(key).pexpire(key, 120_000).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count <= this.perMinute) return 0;
    return Math.max(1, Math.ceil(((minute + 1) * 60_000 - now) / 1000));
  }
}
