// Erasure in ClickHouse (CONTRACT §14, docs/operations.md): every row that holds an erased
// conversation's text, reason, sources, ids or metadata is deleted, and its signed changes lose
// their ids (kept as anonymous +1/-1 rows, so the aggregates they summed into stay exact).
// Mutations run synchronously (mutations_sync = 2: every replica), so when this returns the
// rows are rewritten away, not only hidden; a repeat finds nothing and is harmless.
import type { ClickHouse } from './client.ts';
import { LOCAL_SUFFIX } from './cluster-ddl.ts';
import { TABLES } from './tables.ts';

/** Conversations per mutation: an IN list a server takes in its URL (params) comfortably. */
const PER_MUTATION = 1000;

/** Most conversations one shopper erasure looks up (each is then erased). */
export const MAX_SHOPPER_CONVERSATIONS = 100_000;

/** The conversations of a workspace with an event from `shopperId`. */
export async function conversationsOfShopper(ch: ClickHouse, ws: string, shopperId: string): Promise<string[]> {
  const rows = await ch.query<{ conversation_id: string }>(
    `SELECT DISTINCT conversation_id FROM ${TABLES.events}
      WHERE workspace_id = {ws:String} AND shopper_id = {shopper:String}
      LIMIT ${MAX_SHOPPER_CONVERSATIONS}`,
    { ws, shopper: shopperId },
  );
  return rows.map((r) => r.conversation_id);
}

/**
 * Deletes or anonymises every row of these conversations in every table that names them.
 * `stateField` is how the batch state names a conversation (packages/batch state/encoding.ts).
 */
export async function eraseConversationRows(
  ch: ClickHouse,
  ws: string,
  conversationIds: readonly string[],
  stateField: (ws: string, id: string) => string,
): Promise<void> {
  const cluster = ch.cluster;
  const table = (name: string) => (cluster ? `${name}${LOCAL_SUFFIX} ON CLUSTER ${cluster}` : name);
  const sync = 'SETTINGS mutations_sync = 2';
  for (let i = 0; i < conversationIds.length; i += PER_MUTATION) {
    const ids = conversationIds.slice(i, i + PER_MUTATION);
    const params = { ws, ids, fields: ids.map((id) => stateField(ws, id)) };
    const ofThem = 'workspace_id = {ws:String} AND conversation_id IN {ids:Array(String)}';
    await ch.command(`ALTER TABLE ${table(TABLES.events)} DELETE WHERE ${ofThem} ${sync}`, params);
    await ch.command(`ALTER TABLE ${table(TABLES.conversations)} DELETE WHERE ${ofThem} ${sync}`, params);
    // The signed rows stay (feedback_15m was summed from them at insert; analysts may sum them
    // again), without anything that says whose they were.
    await ch.command(
      `ALTER TABLE ${table(TABLES.feedbackChanges)}
         UPDATE conversation_id = '', message_id = '', event_id = toUUID('00000000-0000-0000-0000-000000000000')
        WHERE ${ofThem} ${sync}`,
      params,
    );
    // Archived states: the conversations' own, and their messages' (whose value ends with the
    // conversation's field, after a tab).
    await ch.command(
      `ALTER TABLE ${table(TABLES.stateArchive)} DELETE
        WHERE workspace_id = {ws:String}
          AND ((kind = 'conversation' AND field IN {fields:Array(String)})
            OR (kind = 'message' AND splitByChar('\\t', value)[-1] IN {fields:Array(String)})) ${sync}`,
      params,
    );
  }
}
