import { describe, expect, it } from 'vitest';
import { normalQuantile, significantlyHigher, wilsonInterval, zForConfidence } from './wilson.ts';

describe('normalQuantile', () => {
  // Standard normal table values (6 decimals), covering the central and both tail branches.
  it.each([
    [0.5, 0],
    [0.8, 0.841621],
    [0.9, 1.281552],
    [0.95, 1.644854],
    [0.975, 1.959964],
    [0.99, 2.326348],
    [0.995, 2.575829],
    [0.9995, 3.290527],
    [0.01, -2.326348],
    [0.001, -3.090232],
    [0.02, -2.053749],
  ])('Φ⁻¹(%s) = %s', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });

  it('refuses p outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });

  it('gives the two-sided z of a confidence level', () => {
    expect(zForConfidence(0.95)).toBeCloseTo(1.959964, 5);
    expect(zForConfidence(0.99)).toBeCloseTo(2.575829, 5);
    expect(zForConfidence(0.9)).toBeCloseTo(1.644854, 5);
  });
});

describe('wilsonInterval', () => {
  it('matches worked examples', () => {
    const half = wilsonInterval(5, 10, 1.96);
    expect(half.lower).toBeCloseTo(0.2366, 4);
    expect(half.upper).toBeCloseTo(0.7634, 4);
    // Zero successes: the lower bound is 0 and the upper z²/(n + z²), not 0 as the normal approximation says.
    const none = wilsonInterval(0, 10, 1.96);
    expect(none.lower).toBe(0);
    expect(none.upper).toBeCloseTo(1.96 ** 2 / (10 + 1.96 ** 2), 10);
  });

  it('knows nothing without trials', () => {
    expect(wilsonInterval(0, 0, 1.96)).toEqual({ lower: 0, upper: 1 });
  });

  it('narrows as trials grow', () => {
    const small = wilsonInterval(10, 100, 1.96);
    const large = wilsonInterval(1000, 10_000, 1.96);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
  });
});

describe('significantlyHigher', () => {
  const baseline = { k: 500, n: 10_000 }; // 5 % thumbs-down over a week
  it('a big jump on plenty of thumbs is significant', () => {
    expect(significantlyHigher({ k: 30, n: 100 }, baseline, 0.95)).toBe(true);
  });
  it('the same jump on a tiny segment is not (30 % of 10 against 5 % of 100)', () => {
    expect(significantlyHigher({ k: 3, n: 10 }, { k: 5, n: 100 }, 0.95)).toBe(false);
    // ...while those rates on 10× the thumbs are.
    expect(significantlyHigher({ k: 30, n: 100 }, { k: 50, n: 1000 }, 0.95)).toBe(true);
  });
  it('an equal rate is not', () => {
    expect(significantlyHigher({ k: 50, n: 1000 }, baseline, 0.95)).toBe(false);
  });
  it('a lower rate is not', () => {
    expect(significantlyHigher({ k: 10, n: 1000 }, baseline, 0.95)).toBe(false);
  });
  it('higher confidence asks for more', () => {
    // 9/100 against 5 %: just significant at 80 %, not at 99 %.
    expect(significantlyHigher({ k: 10, n: 100 }, baseline, 0.8)).toBe(true);
    expect(significantlyHigher({ k: 10, n: 100 }, baseline, 0.99)).toBe(false);
  });
  it('no baseline means no drop', () => {
    expect(significantlyHigher({ k: 90, n: 100 }, { k: 0, n: 0 }, 0.95)).toBe(false);
  });
});
