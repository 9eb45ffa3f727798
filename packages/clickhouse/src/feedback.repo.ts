import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

export interface DailyFeedback {
  day: string;
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
}

/**
 * Thumbs and CSAT per local day in `tz`, for local dates from `from` (inclusive) to
 * `until` (exclusive). Reads the 15-minute buckets, never the raw events. Days with
 * nothing are absent.
 */
export async function dailyFeedback(
  ch: ClickHouse,
  q: { workspaceId: string; from: string; until: string; tz: string },
): Promise<DailyFeedback[]> {
  const rows = await ch.query<Record<keyof DailyFeedback, string | number>>(
    `SELECT toString(toDate(bucket, {tz:String})) AS day,
            sum(thumbs_up) AS thumbs_up, sum(thumbs_down) AS thumbs_down,
            sum(csat_sum) AS csat_sum, sum(csat_count) AS csat_count
       FROM ${TABLES.feedback15m}
      WHERE workspace_id = {ws:String}
        AND bucket >= toDateTime({from:String}, {tz:String})
        AND bucket < toDateTime({until:String}, {tz:String})
      GROUP BY day
      ORDER BY day`,
    { ws: q.workspaceId, from: q.from, until: q.until, tz: q.tz },
  );
  return rows.map((r) => ({
    day: String(r.day),
    thumbs_up: Number(r.thumbs_up),
    thumbs_down: Number(r.thumbs_down),
    csat_sum: Number(r.csat_sum),
    csat_count: Number(r.csat_count),
  }));
}
