import { describe, expect, it } from 'vitest';
import type { AlertCondition } from '@thumbline/events';
import {
  BUCKET_MS,
  earliestBucket,
  evaluateRule,
  trailingWindow,
  type BucketSums,
  type EvaluableRule,
} from './evaluate.ts';

const NOW = Date.UTC(2026, 10, 24, 10, 20, 0); // 10:20, in the 10:15 bucket
const CURRENT = Date.UTC(2026, 10, 24, 10, 15, 0);
const b = (offsetBuckets: number, s: Partial<Omit<BucketSums, 'bucket'>>): BucketSums => ({
  bucket: CURRENT + offsetBuckets * BUCKET_MS,
  thumbs_up: 0,
  thumbs_down: 0,
  csat_sum: 0,
  csat_count: 0,
  ...s,
});
const rule = (r: Partial<EvaluableRule> & { condition: AlertCondition }): EvaluableRule => ({
  metric: 'thumbs_down_pct',
  window_minutes: 60,
  min_samples: 10,
  ...r,
});

describe('trailingWindow', () => {
  it('is the current bucket and the ones before it', () => {
    expect(trailingWindow(15, NOW)).toEqual({ from: CURRENT, to: CURRENT + BUCKET_MS });
    expect(trailingWindow(60, NOW)).toEqual({ from: CURRENT - 3 * BUCKET_MS, to: CURRENT + BUCKET_MS });
  });
  it('reaches back over the baseline for drop rules', () => {
    const r = rule({ condition: { type: 'drop', baseline_minutes: 1440, confidence: 0.95 } });
    expect(earliestBucket(r, NOW)).toBe(CURRENT - 3 * BUCKET_MS - 1440 * 60_000);
  });
});

describe('threshold conditions', () => {
  const above20 = rule({ condition: { type: 'above', value: 20 } });
  it('fires above the threshold with enough samples', () => {
    const e = evaluateRule(
      above20,
      [b(0, { thumbs_up: 6, thumbs_down: 2 }), b(-3, { thumbs_up: 1, thumbs_down: 1 })],
      NOW,
    );
    expect(e).toMatchObject({ holds: true, value: 30, samples: 10 });
  });
  it('does not fire under min_samples, whatever the value', () => {
    const e = evaluateRule(above20, [b(0, { thumbs_up: 0, thumbs_down: 9 })], NOW);
    expect(e).toMatchObject({ holds: false, value: 100, samples: 9 });
  });
  it('ignores buckets before the window and counts a bucket stamped ahead', () => {
    const e = evaluateRule(
      above20,
      [b(-4, { thumbs_down: 50 }), b(0, { thumbs_up: 9 }), b(1, { thumbs_down: 1 })],
      NOW,
    );
    expect(e).toMatchObject({ holds: false, value: 10, samples: 10 });
  });
  it('does not fire at exactly the threshold (strict comparison)', () => {
    expect(evaluateRule(above20, [b(0, { thumbs_up: 8, thumbs_down: 2 })], NOW).holds).toBe(false);
  });
  it('csat_average below', () => {
    const below3 = rule({ metric: 'csat_average', condition: { type: 'below', value: 3 }, min_samples: 4 });
    const low = evaluateRule(below3, [b(0, { csat_sum: 1 + 1 + 5 + 2, csat_count: 4 })], NOW);
    expect(low).toMatchObject({ holds: true, value: 2.25, samples: 4 });
    const fine = evaluateRule(below3, [b(0, { csat_sum: 16, csat_count: 4 })], NOW);
    expect(fine).toMatchObject({ holds: false, value: 4 });
    expect(evaluateRule(below3, [], NOW)).toMatchObject({ holds: false, value: null, samples: 0 });
  });
});

describe('drop condition', () => {
  const drop = rule({ condition: { type: 'drop', baseline_minutes: 7 * 1440, confidence: 0.95 } });
  // A week of baseline: one bucket a day, 5 % thumbs-down in all.
  const week = (up: number, down: number) =>
    Array.from({ length: 7 }, (_, d) => b(-4 - d * 96, { thumbs_up: up, thumbs_down: down }));

  it('a big jump over a steady baseline fires', () => {
    const e = evaluateRule(drop, [...week(1330, 70), b(0, { thumbs_up: 70, thumbs_down: 30 })], NOW);
    expect(e.holds).toBe(true);
    expect(e.value).toBe(30);
    expect(e.baseline).toMatchObject({ value: 5, samples: 9800 });
  });
  it('the same jump on a tiny segment does not', () => {
    // 30 % of 10 against 5 % of 100: too few thumbs on both sides to tell.
    const e = evaluateRule(drop, [...week(19, 1).slice(0, 5), b(0, { thumbs_up: 7, thumbs_down: 3 })], NOW);
    expect(e.value).toBe(30);
    expect(e.holds).toBe(false);
  });
  it('an equal rate does not', () => {
    const e = evaluateRule(drop, [...week(1330, 70), b(0, { thumbs_up: 95, thumbs_down: 5 })], NOW);
    expect(e.holds).toBe(false);
  });
  it('min_samples still applies', () => {
    const strict = rule({ min_samples: 200, condition: drop.condition });
    expect(evaluateRule(strict, [...week(1330, 70), b(0, { thumbs_up: 70, thumbs_down: 30 })], NOW).holds).toBe(false);
  });
  it('feedback older than the baseline is not part of it', () => {
    const old = b(-4 - 8 * 96, { thumbs_up: 100_000 });
    const e = evaluateRule(drop, [old, b(0, { thumbs_up: 70, thumbs_down: 30 })], NOW);
    expect(e.baseline?.samples).toBe(0);
    expect(e.holds).toBe(false); // nothing to compare with
  });
});
