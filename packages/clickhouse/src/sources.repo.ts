import type { ClickHouse } from './client.ts';
import { segmentCondition, type Segment } from './segment.ts';
import { TABLES } from './tables.ts';

/** Most sources one ranking returns: a dashboard list, most thumbs-down first. */
export const SOURCES_LIMIT = 200;

/** Most answers one drill-down returns. */
export const SOURCE_ANSWERS_LIMIT = 200;

/** A cited source with the thumbs of the answers citing it. */
export interface SourceRank {
  source_id: string;
  /** From the latest citation ('' when it had none). */
  title: string;
  url: string;
  /** Answers citing the source whose current thumb counts in the window. */
  answers: number;
  thumbs_up: number;
  thumbs_down: number;
}

/** An answer citing a source, with its current thumb in the window. */
export interface SourceAnswer {
  conversation_id: string;
  message_id: string;
  text: string;
  thumb: 'up' | 'down';
  /** Epoch ms of the answer's (latest) message.created. */
  answered_at: number;
}

export interface SourcesQuery {
  workspaceId: string;
  /** Local dates in `tz`: `from` inclusive, `until` exclusive. */
  from: string;
  until: string;
  tz: string;
  /** The thumb's own widget and locale (CONTRACT §9). */
  segment?: Segment;
}

/**
 * The common part of both queries, as CTEs:
 * - `thumbed`: each message's thumbs counted in the window and segment. Summing a message's signed
 *   rows of `feedback_changes` there gives its current thumb when that thumb's own `ts` falls in
 *   the window (a flip or clear retracts the old thumb in the old thumb's own bucket), so up + down
 *   is 0 or 1 per message; messages with 0 are dropped.
 * - `cited`: the latest assistant `message.created` (by `(ts, recv)`) of each of those messages,
 *   with its sources. Only conversations with a thumb in the window are read, so the scan of
 *   `events` uses its primary key; an answer is found when its thumbs name its conversation.
 */
function citedAnswers(q: SourcesQuery, sourceId?: string): { sql: string; params: Record<string, unknown> } {
  const segment = segmentCondition(q.segment ?? {});
  const window = `workspace_id = {ws:String}
            AND bucket >= toDateTime({from:String}, {tz:String})
            AND bucket < toDateTime({until:String}, {tz:String})
            AND message_id != ''
            AND ${segment.sql}`;
  // The drill-down reads only answers that ever cited the source (cheap columns first); the
  // latest message.created of each still decides.
  const citing =
    sourceId === undefined
      ? ''
      : `AND message_id IN (
              SELECT message_id FROM ${TABLES.events}
               WHERE workspace_id = {ws:String}
                 AND conversation_id IN (SELECT conversation_id FROM rated)
                 AND type = 'message.created' AND role = 'assistant'
                 AND has(arrayMap(s -> s.id, sources), {source:String}))`;
  return {
    sql: `WITH
       thumbed AS (
         SELECT message_id, sum(thumbs_up) AS up, sum(thumbs_down) AS down
           FROM ${TABLES.feedbackChanges}
          WHERE ${window}
          GROUP BY message_id
         HAVING up != 0 OR down != 0
       ),
       rated AS (
         SELECT DISTINCT conversation_id FROM ${TABLES.feedbackChanges} WHERE ${window}
       ),
       cited AS (
         -- Aliases differ from the columns: WHERE must read the columns, not the aggregates.
         SELECT message_id,
                argMax(conversation_id, (ts, recv)) AS answer_conversation,
                argMax(sources, (ts, recv)) AS answer_sources,
                argMax(text, (ts, recv)) AS answer_text,
                max((ts, recv)) AS cited
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND conversation_id IN (SELECT conversation_id FROM rated)
            AND type = 'message.created'
            AND role = 'assistant'
            AND message_id IN (SELECT message_id FROM thumbed)
            ${citing}
          GROUP BY message_id
       )`,
    params: {
      ws: q.workspaceId,
      from: q.from,
      until: q.until,
      tz: q.tz,
      ...segment.params,
      ...(sourceId === undefined ? {} : { source: sourceId }),
    },
  };
}

/**
 * Every source cited by an answer whose current thumb counts in the window (its local day in
 * `tz`, its own segment), with those answers' thumbs: most thumbs-down first, then fewest
 * thumbs-up, then id; at most SOURCES_LIMIT. An answer's sources are those of its latest
 * `message.created`; a source's title and url those of its latest citation among them (the
 * answer with the greatest `ts`; equal `ts`: the greater message_id, since receive order is only
 * comparable within one conversation's partition).
 */
export async function sourceRanking(ch: ClickHouse, q: SourcesQuery): Promise<SourceRank[]> {
  const cited = citedAnswers(q);
  const rows = await ch.query<Record<keyof SourceRank, string | number>>(
    `${cited.sql}
     SELECT s.id AS source_id,
            argMax(s.title, (c.cited.1, c.message_id)) AS title,
            argMax(s.url, (c.cited.1, c.message_id)) AS url,
            count() AS answers,
            sum(t.up) AS thumbs_up,
            sum(t.down) AS thumbs_down
       FROM cited AS c
      ARRAY JOIN c.answer_sources AS s
      INNER JOIN thumbed AS t ON t.message_id = c.message_id
      GROUP BY source_id
      ORDER BY thumbs_down DESC, thumbs_up ASC, source_id ASC
      LIMIT {limit:UInt32}`,
    { ...cited.params, limit: SOURCES_LIMIT },
  );
  return rows.map((r) => ({
    source_id: String(r.source_id),
    title: String(r.title),
    url: String(r.url),
    answers: Number(r.answers),
    thumbs_up: Number(r.thumbs_up),
    thumbs_down: Number(r.thumbs_down),
  }));
}

/**
 * The answers citing `sourceId` whose current thumb counts in the window (as sourceRanking):
 * thumbed down first, then the latest answer first; at most `limit` (≤ SOURCE_ANSWERS_LIMIT).
 */
export async function sourceAnswers(
  ch: ClickHouse,
  q: SourcesQuery & { sourceId: string; limit: number },
): Promise<SourceAnswer[]> {
  const cited = citedAnswers(q, q.sourceId);
  const rows = await ch.query<{
    conversation_id: string;
    message_id: string;
    text: string;
    down: string | number;
    at: string | number;
  }>(
    `${cited.sql}
     SELECT c.answer_conversation AS conversation_id, c.message_id AS message_id, c.answer_text AS text,
            t.down AS down, toUnixTimestamp64Milli(c.cited.1) AS at
       FROM cited AS c
      INNER JOIN thumbed AS t ON t.message_id = c.message_id
      WHERE has(arrayMap(s -> s.id, c.answer_sources), {source:String})
      ORDER BY down DESC, at DESC, message_id ASC
      LIMIT {limit:UInt32}`,
    { ...cited.params, limit: Math.min(q.limit, SOURCE_ANSWERS_LIMIT) },
  );
  return rows.map((r) => ({
    conversation_id: String(r.conversation_id),
    message_id: String(r.message_id),
    text: String(r.text),
    thumb: Number(r.down) > 0 ? 'down' : 'up',
    answered_at: Number(r.at),
  }));
}
