// How a partition's state is written in its Redis hashes and in the archive (state/hot.ts,
// state/archive.ts): fields name a workspace and an id, values are a message's or a
// conversation's latest-wins state. A conversation's value also holds the ids of every event
// of it that was counted: dedup is "this id was committed in this conversation", found
// wherever the conversation's state is (Redis's generations or the archive), with no entry
// per event. Lua reads one thing of these values: a message state's conversation field is its
// last tab-separated part (state/lua/read-state.lua).
import type { ConversationState, MessageState } from '@thumbline/events';

/**
 * A message or conversation id as a hash field: its workspace, then the id as JSON, so it
 * holds no tab or newline and the commit script can take fields and values from lines.
 * Workspace ids hold no ':' (validated at creation).
 */
export const stateField = (ws: string, id: string) => `${ws}:${JSON.stringify(id)}`;

/** The workspace of a field. */
export const workspaceOfField = (field: string) => field.slice(0, field.indexOf(':'));

/** The id of a field made by `stateField`. */
export const idOfField = (field: string) => JSON.parse(field.slice(field.indexOf(':') + 1)) as string;

/** A conversation state is stored as a JSON array of these fields, in this order. */
const CONVERSATION_FIELDS = [
  'started',
  'up',
  'down',
  'score',
  'reason',
  'cts',
  'crecv',
  'version',
  'cw',
  'cl',
  'widget',
  'wts',
  'wrecv',
  'locale',
  'lts',
  'lrecv',
  'pts',
  'precv',
  'pw',
  'pl',
] as const satisfies readonly (keyof ConversationState)[];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * An event id as a conversation's value keeps it: a UUID (every id ingest accepts, lowercased)
 * as its 16 bytes in base64url (22 characters), anything else as itself after a '~' (which
 * base64url never holds).
 */
export function idToken(eventId: string): string {
  return UUID.test(eventId) ? Buffer.from(eventId.replace(/-/g, ''), 'hex').toString('base64url') : `~${eventId}`;
}

/** A conversation's stored value: its state's fields in order, then its counted events' id tokens. */
export const storeConversation = (c: ConversationState, ids: readonly string[]) =>
  JSON.stringify([...CONVERSATION_FIELDS.map((k) => c[k]), ids]);

export function loadConversation(stored: string): { state: ConversationState; ids: string[] } {
  const values = JSON.parse(stored) as unknown[];
  const state = Object.fromEntries(CONVERSATION_FIELDS.map((k, i) => [k, values[i]])) as unknown as ConversationState;
  return { state, ids: (values[CONVERSATION_FIELDS.length] as string[] | undefined) ?? [] };
}

/**
 * A message state as stored: thumb, ts, receive order, the segment's widget and locale (as
 * JSON: no tab or newline) and the conversation field, tab-separated. The conversation stays
 * last (read-state.lua takes it from there).
 */
export const storeMessage = (ws: string, m: MessageState) =>
  `${m[0]}\t${m[1]}\t${m[2]}\t${JSON.stringify(m[4])}\t${JSON.stringify(m[5])}\t${stateField(ws, m[3])}`;

export function loadMessage(stored: string): MessageState {
  const [thumb = '', ts = '0', recv = '', widget = '""', locale = '""', conversation = ':""'] = stored.split('\t');
  return [thumb, Number(ts), recv, idOfField(conversation), JSON.parse(widget) as string, JSON.parse(locale) as string];
}

/** The conversation field a stored message state names. */
export const conversationOfMessage = (stored: string) => stored.slice(stored.lastIndexOf('\t') + 1);
