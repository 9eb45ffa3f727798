import type { ClickHouse } from './client.ts';
import { segmentCondition, type Segment } from './segment.ts';
import { TABLES } from './tables.ts';

/** One stored review change (CONTRACT §12); outcome '' when the review was cleared. */
export interface ReviewRow {
  conversation_id: string;
  outcome: string;
  note: string;
  reviewer: string;
  /** 'YYYY-MM-DD hh:mm:ss.sss' UTC */
  reviewed_at: string;
  version: number;
}

/** Stores one accepted review change (its version comes from the compare-and-set, ADR 0013). */
export async function writeReview(ch: ClickHouse, workspaceId: string, row: ReviewRow): Promise<void> {
  // The same change written twice (a retry) is one block: ClickHouse drops the repeat.
  await ch.insert(TABLES.conversationReviews, [{ workspace_id: workspaceId, ...row }], {
    insert_deduplication_token: `${workspaceId}:${row.conversation_id}:${row.version}`,
  });
}

const LATEST = `conversation_id,
  argMax(outcome, version) AS cur_outcome,
  argMax(note, version) AS cur_note,
  argMax(reviewer, version) AS cur_reviewer,
  toString(argMax(reviewed_at, version)) AS cur_reviewed_at,
  max(version) AS cur_version`;

interface LatestRow {
  conversation_id: string;
  cur_outcome: string;
  cur_note: string;
  cur_reviewer: string;
  cur_reviewed_at: string;
  cur_version: string | number;
}

const toRow = (r: LatestRow): ReviewRow => ({
  conversation_id: r.conversation_id,
  outcome: r.cur_outcome,
  note: r.cur_note,
  reviewer: r.cur_reviewer,
  reviewed_at: r.cur_reviewed_at,
  version: Number(r.cur_version),
});

/** The latest review change of each of `ids` that has one (a cleared review has outcome ''). */
export async function latestReviews(
  ch: ClickHouse,
  workspaceId: string,
  ids: readonly string[],
): Promise<Map<string, ReviewRow>> {
  if (ids.length === 0) return new Map();
  const rows = await ch.query<LatestRow>(
    `SELECT ${LATEST}
       FROM ${TABLES.conversationReviews}
      WHERE workspace_id = {ws:String} AND conversation_id IN {ids:Array(String)}
      GROUP BY conversation_id`,
    { ws: workspaceId, ids: [...new Set(ids)] },
  );
  return new Map(rows.map((r) => [r.conversation_id, toRow(r)]));
}

/** Inbox filter by review: `unreviewed` (none, or cleared), or one outcome. */
export type ReviewFilter = 'unreviewed' | string;

/**
 * The condition on `conversation_id` that keeps the conversations matching `filter`, and its
 * parameters (named `rv_*`). It depends on the conversation only, not on a summary version.
 */
export function reviewCondition(filter: ReviewFilter | undefined): { sql: string; params: Record<string, string> } {
  if (filter === undefined) return { sql: '1', params: {} };
  const reviewed = (having: string) =>
    `(SELECT conversation_id FROM ${TABLES.conversationReviews}
       WHERE workspace_id = {ws:String} GROUP BY conversation_id HAVING ${having})`;
  if (filter === 'unreviewed')
    return { sql: `conversation_id NOT IN ${reviewed("argMax(outcome, version) != ''")}`, params: {} };
  return {
    sql: `conversation_id IN ${reviewed('argMax(outcome, version) = {rv_outcome:String}')}`,
    params: { rv_outcome: filter },
  };
}

/** Downvoted conversations of a window, how many are reviewed, and the reviews' outcomes. */
export interface TriageCounts {
  downvoted: number;
  reviewed: number;
  outcomes: Record<string, number>;
}

export interface TriageWindow {
  workspaceId: string;
  /** Local dates in `tz`: the previous window's first day, the current window's first day, the day after it. */
  previousFrom: string;
  from: string;
  until: string;
  tz: string;
  segment?: Segment | undefined;
  /** Outcomes to count (the contract's, in its order). */
  outcomes: readonly string[];
}

/**
 * Triage counts of the current and the previous window, in one read: conversations whose
 * current start falls in the window and whose current CSAT is negative (score ≤ 2), with their
 * current review. The pre-filter on version rows is a superset: a conversation that matches has
 * its latest version among them.
 */
export async function triageCounts(
  ch: ClickHouse,
  w: TriageWindow,
): Promise<{ current: TriageCounts; previous: TriageCounts }> {
  const seg = segmentCondition(w.segment ?? {}, { widget: 'cur_widget_id', locale: 'cur_locale' });
  const counts = (when: string) =>
    [
      `countIf(${when}) AS ${when}_downvoted`,
      `countIf(${when} AND o != '') AS ${when}_reviewed`,
      ...w.outcomes.map((_o, i) => `countIf(${when} AND o = {out${i}:String}) AS ${when}_o${i}`),
    ].join(', ');
  const rows = await ch.query<Record<string, string | number>>(
    `SELECT ${counts('cur')}, ${counts('prev')}
       FROM (
         SELECT conversation_id, cur_started_at >= toDateTime64({from:String}, 3, {tz:String}) AS cur, NOT cur AS prev
           FROM (
             SELECT conversation_id,
                    argMax(started_at, version) AS cur_started_at,
                    argMax(tuple(score), version).1 AS cur_score,
                    argMax(widget_id, version) AS cur_widget_id,
                    argMax(locale, version) AS cur_locale
               FROM ${TABLES.conversations}
              WHERE workspace_id = {ws:String}
                AND conversation_id IN (
                  SELECT conversation_id FROM ${TABLES.conversations}
                   WHERE workspace_id = {ws:String} AND score <= 2
                     AND started_at >= toDateTime64({prevFrom:String}, 3, {tz:String})
                     AND started_at < toDateTime64({until:String}, 3, {tz:String}))
              GROUP BY conversation_id
           )
          WHERE cur_score <= 2
            AND cur_started_at >= toDateTime64({prevFrom:String}, 3, {tz:String})
            AND cur_started_at < toDateTime64({until:String}, 3, {tz:String})
            AND ${seg.sql}
       ) AS c
       LEFT JOIN (
         SELECT conversation_id, argMax(outcome, version) AS o
           FROM ${TABLES.conversationReviews}
          WHERE workspace_id = {ws:String}
          GROUP BY conversation_id
       ) AS r USING (conversation_id)`,
    {
      ws: w.workspaceId,
      prevFrom: w.previousFrom,
      from: w.from,
      until: w.until,
      tz: w.tz,
      ...seg.params,
      ...Object.fromEntries(w.outcomes.map((o, i) => [`out${i}`, o])),
    },
  );
  const row = rows[0] ?? {};
  const pick = (when: string): TriageCounts => ({
    downvoted: Number(row[`${when}_downvoted`] ?? 0),
    reviewed: Number(row[`${when}_reviewed`] ?? 0),
    outcomes: Object.fromEntries(w.outcomes.map((o, i) => [o, Number(row[`${when}_o${i}`] ?? 0)])),
  });
  return { current: pick('cur'), previous: pick('prev') };
}
