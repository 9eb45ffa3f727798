import type { DailyFeedback } from '@thumbline/clickhouse';
import type { Overview } from '@thumbline/events';
import { addDays, daysInclusive, eachDay } from './local-date.ts';

/** Rounds to `digits` decimals (averages: 2, percentages: 1). */
function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function thumbTotals(up: number, down: number) {
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
  return { from: addDays(from, -n), to: addDays(from, -1) };
}

/**
 * Builds the overview of CONTRACT §4 from per-day sums covering the previous window
 * and the requested one. Averages are null when nothing was rated; percentages are
 * null when there are no thumbs.
 */
export function buildOverview(q: { from: string; to: string; tz: string }, days: readonly DailyFeedback[]): Overview {
  const prev = previousWindow(q.from, q.to);
  const byDay = new Map(days.map((d) => [d.day, d]));
  const daily = eachDay(q.from, q.to).map((day) => {
    const d = byDay.get(day);
    const rated = d?.csat_count ?? 0;
    return { day, average: rated > 0 && d ? round(d.csat_sum / rated, 2) : null, rated };
  });
  const sum = (from: string, to: string) => {
    const t = { up: 0, down: 0, csatSum: 0, rated: 0 };
    for (const d of days) {
      if (d.day < from || d.day > to) continue;
      t.up += d.thumbs_up;
      t.down += d.thumbs_down;
      t.csatSum += d.csat_sum;
      t.rated += d.csat_count;
    }
    return t;
  };
  const cur = sum(q.from, q.to);
  const before = sum(prev.from, prev.to);
  return {
    from: q.from,
    to: q.to,
    tz: q.tz,
    csat: { average: cur.rated > 0 ? round(cur.csatSum / cur.rated, 2) : null, rated: cur.rated, daily },
    thumbs: {
      ...thumbTotals(cur.up, cur.down),
      previous: { ...prev, ...thumbTotals(before.up, before.down) },
    },
  };
}
