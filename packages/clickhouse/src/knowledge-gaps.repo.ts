import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

/** A group of similar shopper questions whose answers were thumbed down. */
export interface KnowledgeGap {
  /** Hex hash of the group's key question (normalised text); stable while the key is. */
  id: string;
  /** The group's most frequent original question text. */
  question: string;
  /** Up to 5 distinct original texts, most frequent first. */
  examples: string[];
  thumbs_down: number;
  conversations: number;
  /** Epoch ms of the latest counted thumb-down. */
  last_seen: number;
}

/**
 * Two normalised questions closer than this (ngramDistanceUTF8) are near-duplicates.
 * Measured on this engine: typos and shorthand sit at 0.08–0.19 ("do u ship to canada"
 * 0.11, "do yuo ship…" 0.16, "…ship 2 canada" 0.19) while other countries start at 0.22
 * (Cuba), 0.24 (Chile), 0.32 (Mexico); the suggested 0.25 merged Canada with Chile and Cuba.
 */
export const GAP_SIMILARITY = 0.2;

/**
 * Most distinct questions (by thumbs-down) compared pairwise, so cost grows with its
 * square; rarer ones still group with identical normalised text.
 */
export const GAP_CANDIDATES = 2000;

/** Most groups returned; the list is for a dashboard, most thumbs-down first. */
export const GAP_LIMIT = 100;

/**
 * Knowledge gaps for local dates from `from` (inclusive) to `until` (exclusive) in `tz`:
 * the shopper question before each assistant answer whose current thumb is down and was
 * given in the range, grouped by similarity, keeping groups with at least 2 thumbs-down
 * in at least 2 conversations, most thumbs-down first (at most GAP_LIMIT). Questions are
 * compared lowercased with runs of non-letters/digits as one space; see GAP_SIMILARITY.
 * Reads the raw `events` log.
 */
export async function knowledgeGaps(
  ch: ClickHouse,
  q: { workspaceId: string; from: string; until: string; tz: string },
): Promise<KnowledgeGap[]> {
  const rows = await ch.query<Record<keyof KnowledgeGap, string | number | string[]>>(
    `WITH
       -- A message's current thumb is its feedback with the greatest (ts, recv), keyed by
       -- message_id like the pipeline's state. Feedback before the range can only be
       -- current when nothing newer exists, and then it does not count, so skip it;
       -- feedback after the range still matters because it can undo a thumb-down.
       downs AS (
         SELECT message_id,
                argMax(conversation_id, (ts, recv)) AS conversation_id,
                argMax(thumb, (ts, recv)) AS current_thumb,
                max(ts) AS rated_at
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.feedback'
            AND ts >= toDateTime64({from:String}, 3, {tz:String})
          GROUP BY message_id
         HAVING current_thumb = 'down' AND rated_at < toDateTime64({until:String}, 3, {tz:String})
       ),
       -- The answer may predate the range, so read those conversations' whole history.
       -- Any thumb-down in the range is a cheap superset of the conversations that count.
       -- anyLast skips the NULLs of non-shopper rows: the latest earlier shopper text.
       created AS (
         SELECT conversation_id, message_id, role, ts, recv,
                anyLast(if(role = 'shopper', text, NULL)) OVER (
                  PARTITION BY conversation_id ORDER BY ts, recv
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
                ) AS question
           FROM ${TABLES.events}
          WHERE workspace_id = {ws:String}
            AND type = 'message.created'
            AND conversation_id IN (
              SELECT conversation_id
                FROM ${TABLES.events}
               WHERE workspace_id = {ws:String}
                 AND type = 'message.feedback'
                 AND thumb = 'down'
                 AND ts >= toDateTime64({from:String}, 3, {tz:String})
                 AND ts < toDateTime64({until:String}, 3, {tz:String})
            )
       ),
       asked AS (
         SELECT d.conversation_id AS conversation_id, d.message_id AS message_id, d.rated_at AS rated_at,
                -- A message re-sent under another event_id keeps its first question.
                argMin(assumeNotNull(c.question), (c.ts, c.recv)) AS question,
                trim(replaceRegexpAll(lowerUTF8(question), '[^\\\\p{L}\\\\p{N}]+', ' ')) AS norm
           FROM downs AS d
          INNER JOIN created AS c ON c.conversation_id = d.conversation_id AND c.message_id = d.message_id
          WHERE c.role = 'assistant' AND c.question IS NOT NULL
          GROUP BY conversation_id, message_id, rated_at
         HAVING norm != ''
       ),
       -- One row of (text, thumbs-down, compared prefix, its length). Long texts are
       -- compared on a prefix to bound the cost of each comparison.
       candidates AS (
         SELECT groupArray((norm, n, leftUTF8(norm, 256), lengthUTF8(leftUTF8(norm, 256)))) AS cs
           FROM (SELECT norm, count() AS n FROM asked GROUP BY norm ORDER BY n DESC, norm LIMIT {candidates:UInt32})
       ),
       -- Each unordered pair is compared once, from one evaluation of the candidates (a
       -- CROSS JOIN of the CTE with itself would evaluate it twice). Texts under 3
       -- characters have no trigrams and would all be at distance 0 from each other, so
       -- they only match exactly. With trigrams the distance is at least
       -- |la - lb| / (la + lb), so pairs too different in length skip computing it.
       -- One hop, not connected components: each question joins its most thumbed-down
       -- near-duplicate or itself (ties: smallest text), so every member is within the
       -- threshold of its group's key and a chain of small edits cannot merge unrelated
       -- questions.
       linked AS (
         SELECT e.1 AS norm, argMin(e.2, (-toInt64(e.3), e.2)) AS gap_key
           FROM (
             SELECT arrayJoin([(a.1, b.1, b.2), (b.1, a.1, a.2)]) AS e
               FROM candidates
              ARRAY JOIN cs AS a
              ARRAY JOIN cs AS b
              WHERE a.1 <= b.1
                AND (a.1 = b.1 OR (least(a.4, b.4) >= 3
                                   AND abs(a.4 - b.4) < {similarity:Float64} * (a.4 + b.4)
                                   AND ngramDistanceUTF8(a.3, b.3) < {similarity:Float64}))
           )
          GROUP BY norm
       ),
       -- Exact text first so the most frequent original can be picked exactly (topK is approximate).
       texts AS (
         SELECT if(l.gap_key = '', s.norm, l.gap_key) AS gap_key, s.question AS wording,
                count() AS n, max(s.rated_at) AS last, uniqExactState(s.conversation_id) AS convs
           FROM asked AS s
           LEFT JOIN linked AS l ON l.norm = s.norm
          GROUP BY gap_key, wording
       )
     SELECT lower(hex(sipHash64(gap_key))) AS id,
            -- Most frequent wording first; ties go to the most recent, then the text.
            arraySlice(
              arrayMap(t -> t.3, arraySort(t -> (-toInt64(t.1), -toUnixTimestamp64Milli(t.2), t.3),
                                           groupArray((n, last, wording)))),
              1, 5) AS examples,
            examples[1] AS question,
            sum(n) AS thumbs_down,
            uniqExactMerge(convs) AS conversations,
            toUnixTimestamp64Milli(max(last)) AS last_seen
       FROM texts
      GROUP BY gap_key
     HAVING thumbs_down >= 2 AND conversations >= 2
      ORDER BY thumbs_down DESC, last_seen DESC, id
      LIMIT {limit:UInt32}`,
    {
      ws: q.workspaceId,
      from: q.from,
      until: q.until,
      tz: q.tz,
      candidates: GAP_CANDIDATES,
      similarity: GAP_SIMILARITY,
      limit: GAP_LIMIT,
    },
  );
  return rows.map((r) => ({
    id: String(r.id),
    question: String(r.question),
    examples: (r.examples as string[]).map(String),
    thumbs_down: Number(r.thumbs_down),
    conversations: Number(r.conversations),
    last_seen: Number(r.last_seen),
  }));
}
