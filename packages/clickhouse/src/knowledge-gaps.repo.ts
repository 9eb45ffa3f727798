import { groupQuestions, type AnsweredQuestion, type KnowledgeGap } from '@thumbline/events';
import type { ClickHouse } from './client.ts';
import { segmentCondition, type Segment } from './segment.ts';
import { TABLES } from './tables.ts';

export type { KnowledgeGap } from '@thumbline/events';

/**
 * Two question keys differing in one word closer than this (trigram distance) are
 * near-duplicates. On keys (sorted stems) a typo in a content word sits well below
 * (`canada shipp` / `canada ship` 0.05) while other countries are at or above it
 * (`ship us` / `ship uk` 0.2, `australia ship` / `austria ship` 0.27); see docs/data-model.md.
 */
export const GAP_SIMILARITY = 0.2;

/** Most distinct question keys (by thumbs-down) compared with each other for near-duplicates. */
export const GAP_CANDIDATES = 2000;

/**
 * Most (question text, conversation) rows read per request, the latest thumbs-down first:
 * the grouping happens in Node (stemming is not in chDB), so this bounds its memory and time.
 */
export const GAP_ROWS = 50_000;

/** Most groups returned; the list is for a dashboard, most thumbs-down first. */
export const GAP_LIMIT = 100;

/**
 * Knowledge gaps for local dates from `from` (inclusive) to `until` (exclusive) in `tz`:
 * the shopper question before each assistant answer whose current thumb is down and was
 * given in the range (in `segment`: the thumb-down event's own widget and locale), grouped
 * by question key in the conversation's language (groupQuestions), keeping groups with at
 * least 2 thumbs-down in at least 2 conversations, most thumbs-down first (at most
 * GAP_LIMIT), each with the sources its thumbed-down answers cited. Reads the raw `events` log, at most GAP_ROWS rows into Node.
 */
export async function knowledgeGaps(
  ch: ClickHouse,
  q: { workspaceId: string; from: string; until: string; tz: string; segment?: Segment },
): Promise<KnowledgeGap[]> {
  const current = segmentCondition(q.segment ?? {}, { widget: 'down_widget', locale: 'down_locale' });
  const anyDown = segmentCondition(q.segment ?? {});
  const rows = await ch.query<{
    question: string;
    locale: string;
    conversation_id: string;
    n: string;
    last: string;
    days: string[];
    citations: [string, string | number, { id: string; title: string; url: string }[]][];
  }>(
    `WITH
       -- A message's current thumb is its feedback with the greatest (ts, recv), keyed by
       -- message_id like the pipeline's state. Feedback before the range can only be
       -- current when nothing newer exists, and then it does not count, so skip it;
       -- feedback after the range still matters because it can undo a thumb-down.
       -- The segment is the current thumb-down's own widget and locale.
       downs AS (
         SELECT message_id,
                argMax(conversation_id, (ts, recv)) AS conversation_id,
                argMax(thumb, (ts, recv)) AS current_thumb,
                argMax(widget_id, (ts, recv)) AS down_widget,
                argMax(locale, (ts, recv)) AS down_locale,
                max(ts) AS rated_at
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.feedback'
            AND ts >= toDateTime64({from:String}, 3, {tz:String})
          GROUP BY message_id
         HAVING current_thumb = 'down' AND rated_at < toDateTime64({until:String}, 3, {tz:String})
            AND ${current.sql}
       ),
       -- Any thumb-down in the range and segment is a cheap superset of the conversations that count.
       rated AS (
         SELECT DISTINCT conversation_id
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.feedback'
            AND thumb = 'down'
            AND ts >= toDateTime64({from:String}, 3, {tz:String})
            AND ts < toDateTime64({until:String}, 3, {tz:String})
            AND ${anyDown.sql}
       ),
       -- The answer may predate the range, so read those conversations' whole history.
       -- anyLast skips the NULLs of non-shopper rows: the latest earlier shopper text.
       created AS (
         SELECT conversation_id, message_id, role, ts, recv, sources,
                anyLast(if(role = 'shopper', text, NULL)) OVER (
                  PARTITION BY conversation_id ORDER BY ts, recv
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS question
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.created'
            AND conversation_id IN (SELECT conversation_id FROM rated)
       ),
       -- A conversation's locale is that of its earliest event naming one (CONTRACT §9).
       languages AS (
         SELECT conversation_id, argMin(locale, (ts, recv)) AS conversation_locale
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND locale != ''
            AND conversation_id IN (SELECT conversation_id FROM rated)
          GROUP BY conversation_id
       ),
       asked AS (
         SELECT d.conversation_id AS conversation_id, d.message_id AS message_id, d.rated_at AS rated_at,
                -- A message re-sent under another event_id keeps its first question;
                -- its sources are those of its latest message.created (as in the sources ranking).
                argMin(assumeNotNull(c.question), (c.ts, c.recv)) AS question,
                argMax(c.sources, (c.ts, c.recv)) AS cited,
                toUnixTimestamp64Milli(max(c.ts)) AS answered_at
           FROM downs AS d
          INNER JOIN created AS c ON c.conversation_id = d.conversation_id AND c.message_id = d.message_id
          WHERE c.role = 'assistant' AND c.question IS NOT NULL
          GROUP BY conversation_id, message_id, rated_at
         HAVING match(question, '[\\\\p{L}\\\\p{N}]')
       )
     SELECT a.question AS question, any(l.conversation_locale) AS locale, a.conversation_id AS conversation_id,
            count() AS n, toUnixTimestamp64Milli(max(a.rated_at)) AS last,
            groupArray(toString(toDate(a.rated_at, {tz:String}))) AS days,
            groupArrayIf((a.message_id, a.answered_at, a.cited), notEmpty(a.cited)) AS citations
       FROM asked AS a
       LEFT JOIN languages AS l ON l.conversation_id = a.conversation_id
      GROUP BY question, conversation_id
      ORDER BY last DESC, conversation_id, question
      LIMIT {rows:UInt32}`,
    { ws: q.workspaceId, from: q.from, until: q.until, tz: q.tz, rows: GAP_ROWS, ...current.params, ...anyDown.params },
  );
  return groupQuestions(
    rows.map((r) => ({
      question: String(r.question),
      locale: String(r.locale),
      conversation_id: String(r.conversation_id),
      thumbs_down: Number(r.n),
      last_seen: Number(r.last),
      days: r.days,
      citations: r.citations.flatMap(([answer, at, sources]) =>
        sources.map((s) => ({ source_id: s.id, title: s.title, url: s.url, answer, answered_at: Number(at) })),
      ),
    })),
    { similarity: GAP_SIMILARITY, candidates: GAP_CANDIDATES, limit: GAP_LIMIT },
  );
}

/**
 * Most (question text, conversation language) rows of answers read per request for answered gaps,
 * the most answered first: like GAP_ROWS, a bound on what Node keys.
 */
export const GAP_ANSWER_ROWS = 50_000;

/** Latest thumbed-down answers kept per question text (enough to tell whether a gap came back). */
const DOWNS_PER_QUESTION = 32;

/**
 * Every assistant answer given in the range (local dates from `from` to `until` exclusive in `tz`; in
 * `segment`: the answer's own message.created widget and locale) to a shopper question, by question
 * text and conversation locale: how many, how many have a current thumb-down, and how many of each
 * were given before each of `ats` (epoch ms, the times gaps were answered at). Answered gaps
 * (answeredGaps) pick their rows by question key. Reads the raw `events` log, at most GAP_ANSWER_ROWS rows.
 */
export async function gapAnswers(
  ch: ClickHouse,
  q: { workspaceId: string; from: string; until: string; tz: string; segment?: Segment; ats: readonly number[] },
): Promise<AnsweredQuestion[]> {
  const segment = segmentCondition(q.segment ?? {});
  const answerSegment = segmentCondition(q.segment ?? {}, { widget: 'answer_widget', locale: 'answer_locale' });
  const rows = await ch.query<{
    question: string;
    conversation_locale: string;
    answers: string | number;
    downs: string | number;
    last: string | number;
    before: [string | number, string | number][];
    down_list: [string, string | number][];
  }>(
    `WITH
       -- Conversations with an answer in the range and segment.
       answered AS (
         SELECT DISTINCT conversation_id
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.created' AND role = 'assistant'
            AND ts >= toDateTime64({from:String}, 3, {tz:String})
            AND ts < toDateTime64({until:String}, 3, {tz:String})
            AND ${segment.sql}
       ),
       -- anyLast skips the NULLs of non-shopper rows: the latest earlier shopper text.
       created AS (
         SELECT conversation_id, message_id, role, ts, recv, widget_id, locale,
                anyLast(if(role = 'shopper', text, NULL)) OVER (
                  PARTITION BY conversation_id ORDER BY ts, recv
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS question
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.created'
            AND conversation_id IN (SELECT conversation_id FROM answered)
       ),
       -- An answer re-sent under another event_id keeps its first question and time.
       answers AS (
         SELECT conversation_id, message_id,
                argMin(assumeNotNull(question), (ts, recv)) AS asked,
                argMin(widget_id, (ts, recv)) AS answer_widget,
                argMin(locale, (ts, recv)) AS answer_locale,
                min(ts) AS answered_at
           FROM created
          WHERE role = 'assistant' AND question IS NOT NULL
          GROUP BY conversation_id, message_id
         HAVING answered_at >= toDateTime64({from:String}, 3, {tz:String})
            AND answered_at < toDateTime64({until:String}, 3, {tz:String})
            AND ${answerSegment.sql}
            AND match(asked, '[\\\\p{L}\\\\p{N}]')
       ),
       -- A message's current thumb: its feedback with the greatest (ts, recv).
       thumbs AS (
         SELECT message_id, argMax(thumb, (ts, recv)) AS thumb
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.feedback'
            AND conversation_id IN (SELECT conversation_id FROM answered)
          GROUP BY message_id
       ),
       -- A conversation's locale is that of its earliest event naming one (CONTRACT §9).
       languages AS (
         SELECT conversation_id, argMin(locale, (ts, recv)) AS conversation_locale
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND locale != ''
            AND conversation_id IN (SELECT conversation_id FROM answered)
          GROUP BY conversation_id
       )
     SELECT a.asked AS question, l.conversation_locale AS conversation_locale,
            count() AS answers, countIf(t.thumb = 'down') AS downs,
            toUnixTimestamp64Milli(max(a.answered_at)) AS last,
            arrayZip(
              sumForEach(arrayMap(x -> toUInt64(toUnixTimestamp64Milli(a.answered_at) < x), {ats:Array(Int64)})),
              sumForEach(arrayMap(x -> toUInt64(toUnixTimestamp64Milli(a.answered_at) < x AND t.thumb = 'down'),
                                  {ats:Array(Int64)}))
            ) AS before,
            arraySlice(
              arrayReverseSort(p -> p.2, groupArrayIf((a.conversation_id, toUnixTimestamp64Milli(a.answered_at)), t.thumb = 'down')),
              1, {downs:UInt32}
            ) AS down_list
       FROM answers AS a
       LEFT JOIN thumbs AS t ON t.message_id = a.message_id
       LEFT JOIN languages AS l ON l.conversation_id = a.conversation_id
      GROUP BY question, conversation_locale
      ORDER BY answers DESC, question, conversation_locale
      LIMIT {rows:UInt32}`,
    {
      ws: q.workspaceId,
      from: q.from,
      until: q.until,
      tz: q.tz,
      ats: q.ats,
      downs: DOWNS_PER_QUESTION,
      rows: GAP_ANSWER_ROWS,
      ...segment.params,
    },
  );
  return rows.map((r) => ({
    question: String(r.question),
    locale: String(r.conversation_locale),
    answers: Number(r.answers),
    thumbs_down: Number(r.downs),
    last_answer: Number(r.last),
    // sumForEach of no rows' arrays is empty: every time then has nothing before it.
    before: q.ats.map((_, i) => ({
      answers: Number(r.before[i]?.[0] ?? 0),
      thumbs_down: Number(r.before[i]?.[1] ?? 0),
    })),
    downs: r.down_list.map(([conversation_id, at]) => ({ conversation_id, at: Number(at) })),
  }));
}
