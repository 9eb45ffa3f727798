import type { ClickHouse } from './client.ts';
import { searchCondition } from './conversation-search.repo.ts';
import { reviewCondition, type ReviewFilter } from './reviews.repo.ts';
import { segmentCondition, type Segment } from './segment.ts';
import { TABLES } from './tables.ts';

/** A conversation's current summary (times as 'YYYY-MM-DD hh:mm:ss.sss' UTC). */
export interface ConversationSummaryRow {
  conversation_id: string;
  started_at: string;
  score: number | null;
  negative_reason: string | null;
  thumbs_up: number;
  thumbs_down: number;
  version: number;
  /** '' for none */
  widget_id: string;
  locale: string;
}

/** One message of a transcript. */
export interface MessageRow {
  message_id: string;
  role: string | null;
  text: string | null;
  at: string;
  thumb: string;
}

export type FeedbackFilter = 'upvote' | 'downvote' | 'unknown';

export interface ConversationPage {
  workspaceId: string;
  /** Local dates in `tz`: `from` inclusive, `until` exclusive. */
  from: string;
  until: string;
  tz: string;
  feedback?: FeedbackFilter | undefined;
  /** Only conversations of this widget / locale (their earliest event naming one). */
  segment?: Segment | undefined;
  /** Only conversations with this review state (reviews.repo.ts). */
  review?: ReviewFilter | undefined;
  /** Only conversations holding every one of these words (searchWords of `q`); undefined: no search. */
  words?: readonly string[] | undefined;
  limit: number;
  /** Versions committed after this instant are not seen (epoch ms): one snapshot for every page. */
  snapshot: number;
  /** Continue after this (started_at ms, conversation_id), newest first. */
  after?: { startedAt: number; conversationId: string } | undefined;
}

// Aliases differ from column names: ClickHouse would otherwise resolve the columns in
// WHERE to these aggregates. Nullable columns go through a tuple: argMax skips NULLs, so
// a reason cleared by a later rating would otherwise come back from an older version.
const LATEST = `
  argMax(started_at, version) AS cur_started_at,
  argMax(tuple(score), version).1 AS cur_score,
  argMax(tuple(negative_reason), version).1 AS cur_negative_reason,
  argMax(thumbs_up, version) AS cur_thumbs_up,
  argMax(thumbs_down, version) AS cur_thumbs_down,
  argMax(widget_id, version) AS cur_widget_id,
  argMax(locale, version) AS cur_locale,
  max(version) AS cur_version`;

const SUMMARY = `conversation_id, toString(cur_started_at) AS started_at, cur_score AS score,
  cur_negative_reason AS negative_reason, cur_thumbs_up AS thumbs_up, cur_thumbs_down AS thumbs_down,
  cur_version AS version, cur_widget_id AS widget_id, cur_locale AS locale`;

/**
 * The page's conditions on a summary (`p` = column prefix: '' for a version row, 'cur_' for the
 * latest). The review and search conditions depend on the conversation only, the same for every
 * version: rows already chosen under them need not check the review again (`review` false).
 */
const conditions = (p: string, q: ConversationPage, review = true) => `
      ${segmentCondition(q.segment ?? {}, { widget: `${p}widget_id`, locale: `${p}locale` }).sql}
  AND ${review ? reviewCondition(q.review).sql : '1'}
  AND
      ${p}started_at >= toDateTime64({from:String}, 3, {tz:String})
  AND ${p}started_at < toDateTime64({until:String}, 3, {tz:String})
  AND (${p}started_at, conversation_id) < (fromUnixTimestamp64Milli({afterTs:Int64}, 'UTC'), {afterId:String})
  AND multiIf({feedback:String} = 'upvote', ${p}score >= 4,
              {feedback:String} = 'downvote', ${p}score <= 2,
              {feedback:String} = 'unknown', ${p}score IS NULL,
              1)`;

function pageParams(q: ConversationPage) {
  return {
    ws: q.workspaceId,
    snapshot: q.snapshot,
    from: q.from,
    until: q.until,
    tz: q.tz,
    // No cursor: a point after every conversation.
    afterTs: q.after?.startedAt ?? 8_000_000_000_000,
    afterId: q.after?.conversationId ?? '',
    feedback: q.feedback ?? '',
    ...segmentCondition(q.segment ?? {}).params,
    ...reviewCondition(q.review).params,
  };
}

/**
 * Conversations whose current `started_at` falls in the range, newest first, as of a
 * snapshot, without aggregating every conversation of the workspace (nor, for a search,
 * every conversation that matches it).
 *
 * Why this is exact: a conversation's latest version is one of its rows, and it meets
 * the page's conditions exactly when the conversation does (the search, like the review,
 * depends on the conversation only, the same for every version). So the newest `n` version
 * rows meeting them name every conversation whose current start is after the n-th row's
 * `started_at` (the threshold); those are resolved in full by primary key, the newest
 * `limit + 1` first. When fewer than `limit` clear the threshold, more are resolved, then
 * `n` grows.
 *
 * A search names its matching conversations from the text indexes (searchCondition) inside
 * the first read, which keeps only the newest `n` of them by start: a common word's tens of
 * thousands of matches are filtered on three narrow columns, and only `n` are resolved.
 */
export async function conversationPage(ch: ClickHouse, q: ConversationPage): Promise<ConversationSummaryRow[]> {
  const search = q.words === undefined ? undefined : searchCondition(q.words);
  const params = { ...pageParams(q), ...search?.params };
  for (let n = Math.max(64, q.limit * 4); ; n *= 4) {
    const candidates = await ch.query<{ conversation_id: string; t: string }>(
      `SELECT conversation_id, toUnixTimestamp64Milli(started_at) AS t
         FROM ${TABLES.conversations}
        WHERE workspace_id = {ws:String}
          AND committed_at <= fromUnixTimestamp64Milli({snapshot:Int64}, 'UTC')
          AND ${conditions('', q)}
          ${search ? `AND ${search.sql}` : ''}
        ORDER BY started_at DESC, conversation_id DESC
        LIMIT {n:UInt32}`,
      { ...params, n },
    );
    if (candidates.length === 0) return [];
    // Any prefix of the candidates names every conversation that starts after its last row, so
    // only as many are resolved as the page needs (with one row to spare for the threshold), more
    // when some fall below it. The candidates already match the search and the review filter (both
    // depend on the conversation only): neither is evaluated again.
    for (let k = Math.min(candidates.length, q.limit + 1); ; k = Math.min(candidates.length, k * 4)) {
      const exhausted = k === candidates.length && candidates.length < n;
      const threshold = Number(candidates[k - 1]?.t);
      const rows = (
        await ch.query<ConversationSummaryRow>(
          `SELECT ${SUMMARY}, toUnixTimestamp64Milli(cur_started_at) AS t
             FROM (
               SELECT conversation_id, ${LATEST}
                 FROM ${TABLES.conversations}
                WHERE workspace_id = {ws:String}
                  AND conversation_id IN {ids:Array(String)}
                  AND committed_at <= fromUnixTimestamp64Milli({snapshot:Int64}, 'UTC')
                GROUP BY conversation_id
             )
            WHERE ${conditions('cur_', q, false)}
            ORDER BY cur_started_at DESC, conversation_id DESC`,
          { ...params, ids: [...new Set(candidates.slice(0, k).map((c) => c.conversation_id))] },
        )
      ).filter((r) => exhausted || Number((r as unknown as { t: string }).t) > threshold);
      if (rows.length >= q.limit || exhausted) {
        return rows.slice(0, q.limit).map(({ t: _t, ...r }: ConversationSummaryRow & { t?: string }) => numbers(r));
      }
      if (k === candidates.length) break;
    }
  }
}

function numbers(r: ConversationSummaryRow): ConversationSummaryRow {
  return {
    ...r,
    score: r.score === null ? null : Number(r.score),
    thumbs_up: Number(r.thumbs_up),
    thumbs_down: Number(r.thumbs_down),
    version: Number(r.version),
  };
}

/** The current summary of one conversation, or null when no event named it. */
export async function conversationSummary(
  ch: ClickHouse,
  workspaceId: string,
  conversationId: string,
): Promise<ConversationSummaryRow | null> {
  const rows = await ch.query<ConversationSummaryRow>(
    `SELECT ${SUMMARY}
       FROM (
         SELECT conversation_id, ${LATEST}
           FROM ${TABLES.conversations}
          WHERE workspace_id = {ws:String} AND conversation_id = {id:String}
          GROUP BY conversation_id
       )`,
    { ws: workspaceId, id: conversationId },
  );
  return rows[0] ? numbers(rows[0]) : null;
}

/**
 * A conversation's messages in ts order with each message's current thumb (latest
 * `(ts, recv)` wins; '' or 'none' when unrated). A message known only from feedback has
 * null role/text and sorts at its first feedback.
 */
export async function conversationMessages(
  ch: ClickHouse,
  workspaceId: string,
  conversationId: string,
): Promise<MessageRow[]> {
  const rows = await ch.query<{
    message_id: string;
    m_role: string | null;
    m_text: string | null;
    m_at: string;
    m_thumb: string;
  }>(
    `SELECT message_id,
            if(created > 0, argMaxIf(role, (ts, recv), type = 'message.created'), NULL) AS m_role,
            if(created > 0, argMaxIf(text, (ts, recv), type = 'message.created'), NULL) AS m_text,
            if(created > 0, minIf(ts, type = 'message.created'), min(ts)) AS m_at,
            argMaxIf(thumb, (ts, recv), type = 'message.feedback') AS m_thumb,
            countIf(type = 'message.created') AS created
       FROM ${TABLES.events}
      WHERE workspace_id = {ws:String} AND conversation_id = {id:String} AND message_id != ''
      GROUP BY message_id
      ORDER BY m_at, message_id`,
    { ws: workspaceId, id: conversationId },
  );
  return rows.map((r) => ({ message_id: r.message_id, role: r.m_role, text: r.m_text, at: r.m_at, thumb: r.m_thumb }));
}
