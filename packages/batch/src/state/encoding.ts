// How a partition's state is written in its Redis hashes and in the archive (state/hot.ts,
// state/archive.ts): fields name a workspace and an id, values are a message's or a
// conversation's latest-wins state. A conversation's value also holds the ids of every event
// of it that was counted: dedup is "this id was committed in this conversation", found
// wherever the conversation's state is (Redis's generations or the archive), with no entry
// per event.
//
// Compact, because Redis holds an hour of it (ADR 0012): ids that are UUIDs as their 16 bytes
// in base64url, numbers in base 36, receive orders without their padding, empty strings as
// nothing; values are tab-separated and hold no newline (strings are JSON-quoted), so the
// commit script can take fields and values from lines. Lua reads one thing of these values: a
// message state ends with its conversation's bucket and field, the last two tab-separated parts
// (state/lua/read-state.lua).
import type { ConversationState, MessageState } from '@thumbline/events';

/** Characters of a UUID's token (16 bytes in base64url). */
const UUID_TOKEN = 22;

/**
 * An id as state keeps it: a UUID (lowercase, as ingest stores event ids) as its 16 bytes in
 * base64url (22 characters), anything else as '~' and its JSON (base64url never holds '~').
 */
export function idToken(id: string): string {
  return uuidToken(id) ?? `~${JSON.stringify(id)}`;
}

// idToken's hot path (3–4 calls per event) without a RegExp, a hex Buffer and a base64 pass:
// about 3× faster, same tokens (tests/resolve.property.test.ts round-trips every shape).
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_DIGIT[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_DIGIT[97 + i] = 10 + i;
const UUID_BYTES = new Uint8Array(16);

/** A lowercase UUID's 16 bytes in base64url, or null for anything else. */
function uuidToken(id: string): string | null {
  if (id.length !== 36) return null;
  let n = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (id.charCodeAt(i) !== 45) return null;
      i--;
      continue;
    }
    const a = id.charCodeAt(i);
    const b = id.charCodeAt(i + 1);
    const high = a < 128 ? (HEX_DIGIT[a] as number) : -1;
    const low = b < 128 ? (HEX_DIGIT[b] as number) : -1;
    if (high < 0 || low < 0) return null;
    UUID_BYTES[n++] = (high << 4) | low;
  }
  let out = '';
  for (let i = 0; i < 15; i += 3) {
    const v = ((UUID_BYTES[i] as number) << 16) | ((UUID_BYTES[i + 1] as number) << 8) | (UUID_BYTES[i + 2] as number);
    out += BASE64URL[v >> 18]! + BASE64URL[(v >> 12) & 63]! + BASE64URL[(v >> 6) & 63]! + BASE64URL[v & 63]!;
  }
  const last = UUID_BYTES[15] as number;
  return out + BASE64URL[last >> 2]! + BASE64URL[(last & 3) << 4]!;
}

/** The id a token stands for. */
function idOfToken(token: string): string {
  if (token.startsWith('~')) return JSON.parse(token.slice(1)) as string;
  const hex = Buffer.from(token, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const JSON_STRING = /"(?:[^"\\]|\\.)*"/y;

/** The tokens written one after another (as `storeConversation` keeps a conversation's event ids). */
function splitTokens(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '~') {
      JSON_STRING.lastIndex = i + 1;
      if (!JSON_STRING.exec(text)) throw new Error(`unreadable id token at ${i}`);
      tokens.push(text.slice(i, JSON_STRING.lastIndex));
      i = JSON_STRING.lastIndex;
    } else {
      tokens.push(text.slice(i, i + UUID_TOKEN));
      i += UUID_TOKEN;
    }
  }
  return tokens;
}

/** A message or conversation id as a hash field: its workspace, ':', the id's token. Workspace ids hold no ':' (validated at creation). */
export const stateField = (ws: string, id: string) => `${ws}:${idToken(id)}`;

/**
 * The bucket of a field among a partition's `buckets` (state/hot.ts): a 31-multiplier string
 * hash, modulo. A generation's states are spread over that many small hashes per kind, which
 * Redis keeps as listpacks (a few bytes per entry instead of ~70 in one big hash table; ADR 0012).
 */
export function bucketOf(field: string, buckets: number): number {
  let h = 0;
  // (h * 31 + c) mod 2^32, in 32-bit integer arithmetic.
  for (let i = 0; i < field.length; i++) h = (Math.imul(h, 31) + field.charCodeAt(i)) >>> 0;
  return h % buckets;
}

/** The workspace of a field. */
export const workspaceOfField = (field: string) => field.slice(0, field.indexOf(':'));

/** The id of a field made by `stateField`. */
export const idOfField = (field: string) => idOfToken(field.slice(field.indexOf(':') + 1));

// Values: numbers in base 36 ('' for null), strings as JSON ('' for ''), receive orders compact.
const num = (n: number | null) => (n === null ? '' : n.toString(36));
const readNum = (s: string) => (s === '' ? null : parseInt(s, 36));
const str = (s: string) => (s === '' ? '' : JSON.stringify(s));
const readStr = (s: string) => (s === '' ? '' : (JSON.parse(s) as string));

/** A non-negative integer in base 36 after its digit count (one base-36 digit): sorts as the number does. */
const sized = (digits: string) => `${digits.length.toString(36)}${digits}`;
const RECEIVE_ORDER = /^(\d{15})-(\d{10})-(\d{4})$/;
const COMPACT_ORDER = /^([1-9a-z])/;

/**
 * A receive order (`receiveOrder` in packages/events: 31 padded digits) in about 13
 * characters; anything else as '~' and its JSON.
 */
export function compactOrder(recv: string): string {
  if (recv === '') return '';
  const m = RECEIVE_ORDER.exec(recv);
  if (!m) return `~${JSON.stringify(recv)}`;
  return m
    .slice(1)
    .map((d) => sized(Number(d).toString(36)))
    .join('');
}

export function readOrder(stored: string): string {
  if (stored === '') return '';
  if (stored.startsWith('~')) return JSON.parse(stored.slice(1)) as string;
  const parts: number[] = [];
  let i = 0;
  while (i < stored.length) {
    const size = parseInt((COMPACT_ORDER.exec(stored.slice(i)) as RegExpExecArray)[1] as string, 36);
    parts.push(parseInt(stored.slice(i + 1, i + 1 + size), 36));
    i += 1 + size;
  }
  const [ms = 0, seq = 0, index = 0] = parts;
  return `${String(ms).padStart(15, '0')}-${String(seq).padStart(10, '0')}-${String(index).padStart(4, '0')}`;
}

type Kind = 'num' | 'str' | 'order';
const CODEC: Record<Kind, { write: (v: never) => string; read: (s: string) => unknown }> = {
  num: { write: num, read: readNum },
  str: { write: str, read: readStr },
  order: { write: compactOrder, read: readOrder },
};

/** A conversation state is stored as these fields, in this order, then its counted events' id tokens. */
const CONVERSATION_FIELDS = [
  ['started', 'num'],
  ['up', 'num'],
  ['down', 'num'],
  ['score', 'num'],
  ['reason', 'str'],
  ['cts', 'num'],
  ['crecv', 'order'],
  ['version', 'num'],
  ['cw', 'str'],
  ['cl', 'str'],
  ['widget', 'str'],
  ['wts', 'num'],
  ['wrecv', 'order'],
  ['locale', 'str'],
  ['lts', 'num'],
  ['lrecv', 'order'],
  ['pts', 'num'],
  ['precv', 'order'],
  ['pw', 'str'],
  ['pl', 'str'],
] as const satisfies readonly (readonly [keyof ConversationState, Kind])[];

/** A conversation's stored value: its state's fields in order, then its counted events' id tokens. */
export function storeConversation(c: ConversationState, ids: readonly string[]): string {
  let out = '';
  for (const [k, kind] of CONVERSATION_FIELDS) out += `${CODEC[kind].write(c[k] as never)}\t`;
  return out + ids.join('');
}

export function loadConversation(stored: string): { state: ConversationState; ids: string[] } {
  const values = stored.split('\t');
  const state = {} as Record<string, unknown>;
  CONVERSATION_FIELDS.forEach(([k, kind], i) => (state[k] = CODEC[kind].read(values[i] ?? '')));
  return { state: state as unknown as ConversationState, ids: splitTokens(values[CONVERSATION_FIELDS.length] ?? '') };
}

const THUMB_CODE: Record<string, string> = { up: 'u', down: 'd', none: 'n', '': '' };
const THUMB_OF_CODE: Record<string, string> = { u: 'up', d: 'down', n: 'none', '': '' };

/**
 * A message state as stored: thumb (one letter), ts, receive order, the segment's widget and
 * locale, and the conversation's bucket and field, tab-separated. The conversation stays last
 * (read-state.lua takes it from there).
 */
export function storeMessage(ws: string, m: MessageState, buckets: number): string {
  const conversation = stateField(ws, m[3]);
  return `${THUMB_CODE[m[0]] ?? JSON.stringify(m[0])}\t${num(m[1])}\t${compactOrder(m[2])}\t${str(m[4])}\t${str(m[5])}\t${bucketOf(conversation, buckets)}\t${conversation}`;
}

export function loadMessage(stored: string): MessageState {
  const [thumb = '', ts = '0', recv = '', widget = '', locale = '', , conversation = ':~""'] = stored.split('\t');
  return [
    THUMB_OF_CODE[thumb] ?? (JSON.parse(thumb) as string),
    readNum(ts) ?? 0,
    readOrder(recv),
    idOfField(conversation),
    readStr(widget),
    readStr(locale),
  ];
}

/** The conversation field a stored message state names. */
export const conversationOfMessage = (stored: string) => stored.slice(stored.lastIndexOf('\t') + 1);
