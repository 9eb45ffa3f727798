import type { ClickHouse } from './client.ts';
import { languageOf, segmentCondition, type Segment } from './segment.ts';
import { TABLES } from './tables.ts';

/** The sums of `feedback_15m` a dashboard reads. */
export interface FeedbackSums {
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
  /** First rating prompts, and those whose conversation has a current CSAT. */
  prompted: number;
  responded: number;
}

export interface DailyFeedback extends FeedbackSums {
  day: string;
}

/** A window of local dates in `tz` (`from` inclusive, `until` exclusive), optionally one segment. */
export interface FeedbackWindow {
  workspaceId: string;
  from: string;
  until: string;
  tz: string;
  segment?: Segment | undefined;
}

const SUMS = `sum(thumbs_up) AS thumbs_up, sum(thumbs_down) AS thumbs_down,
            sum(csat_sum) AS csat_sum, sum(csat_count) AS csat_count,
            sum(prompted) AS prompted, sum(responded) AS responded`;

/** The window's conditions on `feedback_15m` and their parameters. */
function windowWhere(q: FeedbackWindow) {
  const seg = segmentCondition(q.segment ?? {});
  return {
    sql: `workspace_id = {ws:String}
        AND bucket >= toDateTime({from:String}, {tz:String})
        AND bucket < toDateTime({until:String}, {tz:String})
        AND ${seg.sql}`,
    params: { ws: q.workspaceId, from: q.from, until: q.until, tz: q.tz, ...seg.params },
  };
}

const sums = (r: Record<keyof FeedbackSums, string | number>): FeedbackSums => ({
  thumbs_up: Number(r.thumbs_up),
  thumbs_down: Number(r.thumbs_down),
  csat_sum: Number(r.csat_sum),
  csat_count: Number(r.csat_count),
  prompted: Number(r.prompted),
  responded: Number(r.responded),
});

/**
 * Thumbs, CSAT and prompts per local day in `tz`, for local dates from `from` (inclusive)
 * to `until` (exclusive), in the segment when one is given. Reads the 15-minute buckets,
 * never the raw events. Days with nothing are absent.
 */
export async function dailyFeedback(ch: ClickHouse, q: FeedbackWindow): Promise<DailyFeedback[]> {
  const where = windowWhere(q);
  const rows = await ch.query<Record<keyof DailyFeedback, string | number>>(
    `SELECT toString(toDate(bucket, {tz:String})) AS day, ${SUMS}
       FROM ${TABLES.feedback15m}
      WHERE ${where.sql}
      GROUP BY day
      ORDER BY day`,
    where.params,
  );
  return rows.map((r) => ({ day: String(r.day), ...sums(r) }));
}

/** What a breakdown groups by (docs/data-model.md, segments). */
export type BreakdownKey = 'widget_id' | 'locale' | 'language';

const KEY_SQL: Record<BreakdownKey, string> = {
  widget_id: 'widget_id',
  locale: 'locale',
  language: languageOf('locale'),
};

/**
 * The window's sums per widget, locale (stored lowercased) or language ('' = events naming
 * none), for keys with anything counted (a key whose rows cancel out is absent), most rated
 * plus thumbs first, then most prompted, then by key.
 */
export async function feedbackBreakdown(
  ch: ClickHouse,
  q: FeedbackWindow & { by: BreakdownKey },
): Promise<(FeedbackSums & { key: string })[]> {
  const where = windowWhere(q);
  const rows = await ch.query<Record<keyof FeedbackSums | 'key', string | number>>(
    `SELECT ${KEY_SQL[q.by]} AS key, ${SUMS}
       FROM ${TABLES.feedback15m}
      WHERE ${where.sql}
      GROUP BY key
     HAVING thumbs_up != 0 OR thumbs_down != 0 OR csat_count != 0 OR prompted != 0
      ORDER BY csat_count + thumbs_up + thumbs_down DESC, prompted DESC, key`,
    where.params,
  );
  return rows.map((r) => ({ key: String(r.key), ...sums(r) }));
}
