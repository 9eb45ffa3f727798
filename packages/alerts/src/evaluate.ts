// What a rule says about a workspace's 15-minute buckets now: its value, its samples and
// whether its condition holds (CONTRACT §10; the drop condition: docs/alerts.md).
import {
  DEFAULT_BASELINE_MINUTES,
  DEFAULT_DROP_CONFIDENCE,
  round,
  significantlyHigher,
  type AlertCondition,
  type AlertMetric,
} from '@thumbline/events';

export const BUCKET_MS = 15 * 60_000;

/** Sums of one 15-minute UTC bucket (start in epoch ms), in one segment. */
export interface BucketSums {
  bucket: number;
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
}

/** The part of a rule evaluation needs. */
export interface EvaluableRule {
  metric: AlertMetric;
  window_minutes: number;
  condition: AlertCondition;
  min_samples: number;
}

/** A span of time [from, to) in epoch ms. */
export interface Span {
  from: number;
  to: number;
}

export interface Evaluation {
  /** At least min_samples samples and the condition met: the rule fires (or keeps firing). */
  holds: boolean;
  /** The metric over the window (2 decimals), null without samples. */
  value: number | null;
  samples: number;
  window: Span;
  /** For `drop`: the baseline the window was compared with. */
  baseline?: { value: number | null; samples: number } & Span;
}

/**
 * The trailing window: the bucket `now` falls in and the buckets before it, window_minutes
 * in all. So a 15-minute window is the current bucket; buckets slide every 15 minutes.
 */
export function trailingWindow(windowMinutes: number, now: number): Span {
  const current = Math.floor(now / BUCKET_MS) * BUCKET_MS;
  return { from: current - (windowMinutes / 15 - 1) * BUCKET_MS, to: current + BUCKET_MS };
}

/** The baseline of a drop condition: baseline_minutes just before the window. */
export function baselineSpan(windowFrom: number, baselineMinutes: number): Span {
  return { from: windowFrom - baselineMinutes * 60_000, to: windowFrom };
}

/** The earliest bucket start a rule reads at `now`. */
export function earliestBucket(rule: EvaluableRule, now: number): number {
  const w = trailingWindow(rule.window_minutes, now);
  if (rule.condition.type !== 'drop') return w.from;
  return baselineSpan(w.from, rule.condition.baseline_minutes ?? DEFAULT_BASELINE_MINUTES).from;
}

interface Totals {
  up: number;
  down: number;
  csatSum: number;
  csatCount: number;
}

function totals(buckets: readonly BucketSums[], span: Span, includeLater: boolean): Totals {
  const t: Totals = { up: 0, down: 0, csatSum: 0, csatCount: 0 };
  for (const b of buckets) {
    // Events may be stamped up to 5 minutes ahead: a bucket after the current one belongs to the window.
    if (b.bucket < span.from || (b.bucket >= span.to && !includeLater)) continue;
    t.up += b.thumbs_up;
    t.down += b.thumbs_down;
    t.csatSum += b.csat_sum;
    t.csatCount += b.csat_count;
  }
  return t;
}

function measure(metric: AlertMetric, t: Totals): { value: number | null; samples: number; raw: number | null } {
  if (metric === 'csat_average') {
    const samples = Math.max(0, t.csatCount);
    const raw = samples > 0 ? t.csatSum / samples : null;
    return { value: raw === null ? null : round(raw, 2), samples, raw };
  }
  const samples = Math.max(0, t.up + t.down);
  const raw = samples > 0 ? (100 * t.down) / samples : null;
  return { value: raw === null ? null : round(raw, 2), samples, raw };
}

/** Evaluates one rule over its segment's buckets at `now`. */
export function evaluateRule(rule: EvaluableRule, buckets: readonly BucketSums[], now: number): Evaluation {
  const window = trailingWindow(rule.window_minutes, now);
  const t = totals(buckets, window, true);
  const m = measure(rule.metric, t);
  const enough = m.samples >= rule.min_samples && m.raw !== null;
  const c = rule.condition;
  if (c.type === 'drop') {
    const span = baselineSpan(window.from, c.baseline_minutes ?? DEFAULT_BASELINE_MINUTES);
    const b = totals(buckets, span, false);
    const base = measure('thumbs_down_pct', b);
    const worse = significantlyHigher(
      { k: Math.max(0, t.down), n: m.samples },
      { k: Math.max(0, b.down), n: base.samples },
      c.confidence ?? DEFAULT_DROP_CONFIDENCE,
    );
    return {
      holds: enough && worse,
      value: m.value,
      samples: m.samples,
      window,
      baseline: { value: base.value, samples: base.samples, ...span },
    };
  }
  const met = m.raw !== null && (c.type === 'below' ? m.raw < c.value : m.raw > c.value);
  return { holds: enough && met, value: m.value, samples: m.samples, window };
}
