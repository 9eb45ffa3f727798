// A trend line small enough for one row of a list: counts per day, scaled to their maximum.

interface SparklineProps {
  values: readonly number[];
  /** What the line shows, for screen readers and the tooltip. */
  label: string;
  width?: number;
  height?: number;
}

/** Rising, falling or flat: the second half of `values` against the first. */
export function trendOf(values: readonly number[]): 'rising' | 'falling' | 'flat' {
  const half = Math.floor(values.length / 2);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const first = sum(values.slice(0, half));
  const second = sum(values.slice(values.length - half));
  return second > first ? 'rising' : second < first ? 'falling' : 'flat';
}

export function Sparkline({ values, label, width = 72, height = 18 }: SparklineProps) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? (width - 2) / (values.length - 1) : 0;
  const points = values
    .map((v, i) => `${(1 + i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`)
    .join(' ');
  return (
    <svg
      class="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      {values.length > 1 && <polyline points={points} />}
    </svg>
  );
}
