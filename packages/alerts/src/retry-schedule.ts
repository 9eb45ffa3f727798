// When a failed webhook delivery is tried again (docs/alerts.md, "Retries").

export interface RetrySchedule {
  /** Delay before the first retry (ms); each later delay doubles... */
  baseMs: number;
  /** ...up to this cap (ms). */
  maxMs: number;
  /** Retries go on until their delays add up to at least this (ms). */
  horizonMs: number;
}

/** 10 s, 20 s, 40 s … doubling to 1 h apart, for at least 24 h: 33 attempts over ~24.4 h. */
export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 10_000, maxMs: 3_600_000, horizonMs: 24 * 3_600_000 };

/** The delay before retry number `retry` (1 = after the first failed attempt). */
export function retryDelayMs(retry: number, s: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  return Math.min(s.baseMs * 2 ** Math.max(0, retry - 1), s.maxMs);
}

/** The delays of every retry, in order: the fewest whose sum reaches the horizon. */
export function retryDelays(s: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number[] {
  const out: number[] = [];
  let total = 0;
  while (total < s.horizonMs) {
    const d = retryDelayMs(out.length + 1, s);
    out.push(d);
    total += d;
  }
  return out;
}

/** Attempts in all (the first plus every retry): BullMQ's `attempts`. */
export function deliveryAttempts(s: RetrySchedule = DEFAULT_RETRY_SCHEDULE): number {
  return retryDelays(s).length + 1;
}
