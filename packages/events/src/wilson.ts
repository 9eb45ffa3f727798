// Wilson score intervals for a rate k/n, and the normal quantile they need: alert rules compare a window with
// its baseline (docs/alerts.md), answered knowledge gaps their thumbs-down rate before and after (docs/data-model.md).

/**
 * The standard normal quantile Φ⁻¹(p), 0 < p < 1, by Acklam's rational approximation
 * (relative error below 1.2e-9, far finer than any confidence a user types).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** z of a two-sided confidence level: 0.95 → 1.96. */
export function zForConfidence(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** The Wilson score interval of `k` successes in `n` trials at `z`; [0, 1] when n is 0. */
export function wilsonInterval(k: number, n: number, z: number): { lower: number; upper: number } {
  if (n <= 0) return { lower: 0, upper: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
}

/**
 * True when rate `k/n` is higher than `baseK/baseN` with the given confidence: the
 * window's lower Wilson bound lies above the baseline's upper one. Conservative on
 * purpose: little data on either side widens its interval, so noise does not fire.
 */
export function significantlyHigher(
  window: { k: number; n: number },
  baseline: { k: number; n: number },
  confidence: number,
): boolean {
  const z = zForConfidence(confidence);
  return wilsonInterval(window.k, window.n, z).lower > wilsonInterval(baseline.k, baseline.n, z).upper;
}
