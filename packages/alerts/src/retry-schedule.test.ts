import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE, deliveryAttempts, retryDelayMs, retryDelays } from './retry-schedule.ts';

const HOUR = 3_600_000;

describe('webhook retry schedule', () => {
  it('doubles from 10 s and is capped at 1 h', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(9)).toBe(2_560_000);
    expect(retryDelayMs(10)).toBe(HOUR);
    expect(retryDelayMs(50)).toBe(HOUR);
  });

  it('keeps retrying for at least 24 h, and not a retry longer than needed', () => {
    const delays = retryDelays();
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * HOUR);
    expect(total - (delays.at(-1) as number)).toBeLessThan(24 * HOUR);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DEFAULT_RETRY_SCHEDULE.maxMs);
    // BullMQ's attempts: the first plus every retry; its backoff strategy is retryDelayMs(attemptsMade).
    expect(deliveryAttempts()).toBe(delays.length + 1);
    const bullTotal = Array.from({ length: deliveryAttempts() - 1 }, (_, i) => retryDelayMs(i + 1)).reduce(
      (a, b) => a + b,
      0,
    );
    expect(bullTotal).toBeGreaterThanOrEqual(24 * HOUR);
  });
});
