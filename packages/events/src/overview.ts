import { daysInclusive, eachDay } from './calendar.ts';
import type { OverviewFigures } from './overview.schema.ts';

/** Feedback sums of one local day. */
export interface DaySums {
  day: string;
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
  /** First rating prompts that day, and those of them whose conversation has a CSAT (absent: 0). */
  prompted?: number;
  responded?: number;
}

/** Responded over prompted, as a fraction rounded to 4 decimals; null when nothing was prompted. */
export function responseRate(responded: number, prompted: number): number | null {
  return prompted > 0 ? round(responded / prompted, 4) : null;
}

/** Rounds to `digits` decimals (averages: 2, percentages: 1). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Thumbs with their shares in percent (1 decimal; null without thumbs). */
export function thumbTotals(up: number, down: number) {
  const total = up + down;
  return {
    up,
    down,
    up_pct: total === 0 ? null : round((up / total) * 100, 1),
    down_pct: total === 0 ? null : round((down / total) * 100, 1),
  };
}

/** The window of the same length just before [from, to]. */
export function previousWindow(from: string, to: string): { from: string; to: string } {
  const n = daysInclusive(from, to);
  const shift = (day: string, k: number) =>
    new Date(Date.parse(`${day}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);
  return { from: shift(from, -n), to: shift(from, -1) };
}

/**
 * The overview (`GET /v1/analytics/overview`) from per-day sums of the window and the previous window's
 * thumbs. The API builds answers with it and live clients rebuild them after each delta,
 * so both round the same way. Averages are null when nothing was rated; percentages are
 * null without thumbs.
 */
export function summarizeOverview(
  q: { from: string; to: string; tz: string },
  days: readonly DaySums[],
  previous: { up: number; down: number },
  liveSeq: number,
): OverviewFigures {
  const byDay = new Map(days.map((d) => [d.day, d]));
  let up = 0;
  let down = 0;
  let csatSum = 0;
  let rated = 0;
  let prompted = 0;
  let responded = 0;
  const daily = eachDay(q.from, q.to).map((day) => {
    const d = byDay.get(day);
    const count = d?.csat_count ?? 0;
    up += d?.thumbs_up ?? 0;
    down += d?.thumbs_down ?? 0;
    csatSum += d?.csat_sum ?? 0;
    rated += count;
    prompted += d?.prompted ?? 0;
    responded += d?.responded ?? 0;
    return {
      day,
      average: count > 0 && d ? round(d.csat_sum / count, 2) : null,
      rated: count,
      csat_sum: d?.csat_sum ?? 0,
      thumbs_up: d?.thumbs_up ?? 0,
      thumbs_down: d?.thumbs_down ?? 0,
      prompted: d?.prompted ?? 0,
      responded: d?.responded ?? 0,
    };
  });
  return {
    from: q.from,
    to: q.to,
    tz: q.tz,
    live_seq: liveSeq,
    csat: {
      average: rated > 0 ? round(csatSum / rated, 2) : null,
      rated,
      prompted,
      response_rate: responseRate(responded, prompted),
      daily,
    },
    thumbs: {
      ...thumbTotals(up, down),
      previous: { ...previousWindow(q.from, q.to), ...thumbTotals(previous.up, previous.down) },
    },
  };
}
