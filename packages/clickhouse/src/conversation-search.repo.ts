// Full-text search of the inbox (`q`, CONTRACT §12) with the text indexes of migration 0011,
// and the inbox's one-line previews.
import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

/**
 * What the indexes hold for a text (0011_search_indexes.sql): lowercased, without diacritics,
 * split on ASCII non-alphanumerics. Queries must use the same expression to use an index.
 */
const normalized = (column: string) => `lowerUTF8(removeDiacriticsUTF8(${column}))`;
const TOKENIZER = `'splitByNonAlpha'`;

/** The words of a search as the index has them (ClickHouse normalises them, so both sides agree), distinct. */
export async function searchWords(ch: ClickHouse, q: string): Promise<string[]> {
  const rows = await ch.query<{ words: string[] }>(
    `SELECT arrayDistinct(tokens(${normalized('{q:String}')}, ${TOKENIZER})) AS words`,
    { q },
  );
  return rows[0]?.words ?? [];
}

/**
 * The condition on `conversation_id` keeping conversations where every word occurs in one of
 * their messages or in their current negative reason (parameters `sw*`; the query must bind
 * `ws`). Per word, the text index names the messages holding it (the index answers the filter:
 * no text is read); the conversations whose reason holds any of the words are checked against
 * their latest version in one read, which gives each its bits of the words that version holds.
 * A conversation matches when its bits together hold every word. No words: nothing matches.
 */
export function searchCondition(words: readonly string[]): { sql: string; params: Record<string, unknown> } {
  if (words.length === 0) return { sql: '0', params: {} };
  if (words.length > 30) throw new Error('searchCondition: at most 30 words');
  // Array parameters, not `[{…:String}]`: the index is used for a constant array.
  const params: Record<string, unknown> = { sw_all: 2 ** words.length - 1, sw_any: [...words] };
  const text = normalized('text');
  const reason = normalized(`ifNull(negative_reason, '')`);
  const messages = words.map((w, i) => {
    params[`sw${i}`] = [w];
    return `SELECT conversation_id, toUInt32(${2 ** i}) AS m
         FROM ${TABLES.events}
        WHERE workspace_id = {ws:String} AND hasAnyTokens(${text}, {sw${i}:Array(String)})`;
  });
  const bits = words.map((_, i) => `hasAnyTokens(${reason}, {sw${i}:Array(String)}) * ${2 ** i}`).join(' + ');
  const reasons = `SELECT conversation_id, toUInt32(argMax(${bits}, version)) AS m
         FROM ${TABLES.conversations}
        WHERE workspace_id = {ws:String}
          AND conversation_id IN (
            SELECT conversation_id FROM ${TABLES.conversations}
             WHERE workspace_id = {ws:String} AND hasAnyTokens(${reason}, {sw_any:Array(String)}))
        GROUP BY conversation_id`;
  const sql = `conversation_id IN (
    SELECT conversation_id FROM (${[...messages, reasons].join('\n      UNION ALL\n      ')})
     GROUP BY conversation_id
    HAVING groupBitOr(m) = {sw_all:UInt32})`;
  return { sql, params };
}

/**
 * The first shopper message of each conversation (the text it was first sent with), for the
 * inbox's preview; conversations without one are absent.
 */
export async function firstShopperMessages(
  ch: ClickHouse,
  workspaceId: string,
  ids: readonly string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await ch.query<{ conversation_id: string; first: string }>(
    `SELECT conversation_id, argMin(text, (ts, recv)) AS first
       FROM ${TABLES.events}
      WHERE workspace_id = {ws:String} AND conversation_id IN {ids:Array(String)}
        AND type = 'message.created' AND role = 'shopper' AND text != ''
      GROUP BY conversation_id`,
    { ws: workspaceId, ids: [...new Set(ids)] },
  );
  return new Map(rows.map((r) => [r.conversation_id, r.first]));
}
