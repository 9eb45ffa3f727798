// The snapshot one partition's part of a batch is resolved from: what the hot tier holds,
// completed from the archive with what left Redis (ADR 0010). The events a conversation
// counted are in its state (state/encoding.ts), so dedup needs nothing but the states.
import type { BatchItem, ConversationState, Snapshot, WorkspaceSnapshot } from '@thumbline/events';
import type { PartitionKeys, RedisClient } from '@thumbline/redis';
import type { Archive } from './archive.ts';
import { maybeArchived } from './archive-filter.ts';
import {
  conversationOfMessage,
  idToken,
  idOfField,
  loadConversation,
  loadMessage,
  stateField,
  workspaceOfField,
} from './encoding.ts';
import { readConversations, readHot, type HotRead } from './hot.ts';

/** A snapshot with the hot read it came from (the commit checks that read is still current). */
export interface PartitionSnapshot {
  snapshot: Snapshot;
  read: Pick<HotRead, 'generation' | 'version' | 'buckets'>;
  /** Each conversation read, by field: its state and its counted events' id tokens, as stored. */
  conversations: Map<string, { state: ConversationState; ids: string[] }>;
}

/**
 * Reads the state `items` touch in one partition (hot tier, then the archive for what Redis
 * no longer holds); or the batch's cached resolution when this partition committed it already.
 */
export async function readSnapshot(
  redis: RedisClient,
  keys: PartitionKeys,
  batchId: string,
  items: readonly BatchItem[],
  archive: Archive,
  buckets: number,
): Promise<PartitionSnapshot | { cached: string }> {
  const fields = fieldsOf(items);
  const hot = await readHot(redis, keys, batchId, buckets, fields, (g) => archive.archivePartition(keys, g));
  if ('cached' in hot) return hot;
  const messages = new Map<string, string>();
  fields.messages.forEach((f, i) => {
    const stored = hot.messages[i];
    if (stored) messages.set(f, stored);
  });
  const asked = fields.conversations.concat(hot.extra);
  const conversations = new Map<string, string>();
  asked.forEach((f, i) => {
    const stored = hot.conversations[i];
    if (stored) conversations.set(f, stored);
  });
  if (hot.archived)
    await fromArchive(redis, keys, archive, hot, { fields: fields.messages, messages, conversations, asked });
  return {
    ...snapshotOf(items, messages, conversations),
    read: { generation: hot.generation, version: hot.version, buckets },
  };
}

/**
 * The fields a batch's items read, each once in first-seen order: the messages thumbed, and
 * every item's conversation (it says which of its events were counted).
 */
export function fieldsOf(items: readonly BatchItem[]): { messages: string[]; conversations: string[] } {
  const mids = new Set<string>();
  const cids = new Set<string>();
  for (const { w, e } of items) {
    cids.add(stateField(w, e.conversation_id));
    if (e.type === 'message.feedback' && e.message_id !== undefined) mids.add(stateField(w, e.message_id));
  }
  return { messages: [...mids], conversations: [...cids] };
}

/**
 * The snapshot `items` are resolved from, given the stored states read for them (by field):
 * each state decoded, and the items' event ids that their conversations counted already.
 */
export function snapshotOf(
  items: readonly BatchItem[],
  messages: ReadonlyMap<string, string>,
  conversations: ReadonlyMap<string, string>,
): Omit<PartitionSnapshot, 'read'> {
  /** The batch's event ids by workspace and stored token: only these are looked for in the conversations. */
  const ids = new Map<string, string>();
  for (const { w, e } of items) ids.set(`${w}\u0000${idToken(e.event_id)}`, e.event_id);
  const workspaces = new Map<string, WorkspaceSnapshot>();
  const of = (ws: string) => {
    let s = workspaces.get(ws);
    if (!s) workspaces.set(ws, (s = { remembered: new Set(), messages: new Map(), conversations: new Map() }));
    return s;
  };
  for (const [f, stored] of messages) of(workspaceOfField(f)).messages.set(idOfField(f), loadMessage(stored));
  const loaded = new Map<string, { state: ConversationState; ids: string[] }>();
  for (const [f, stored] of conversations) {
    const conversation = loadConversation(stored);
    loaded.set(f, conversation);
    const workspaceId = workspaceOfField(f);
    const ws = of(workspaceId);
    ws.conversations.set(idOfField(f), conversation.state);
    for (const token of conversation.ids) {
      const id = ids.get(`${workspaceId}\u0000${token}`);
      if (id !== undefined) ws.remembered.add(id);
    }
  }
  return { snapshot: { workspaces }, conversations: loaded };
}

/**
 * Completes a snapshot in place with what only the archive holds: archived states of the
 * messages and conversations Redis does not hold (and of the conversations those messages name).
 */
async function fromArchive(
  redis: RedisClient,
  keys: PartitionKeys,
  archive: Archive,
  hot: HotRead,
  s: { fields: string[]; messages: Map<string, string>; conversations: Map<string, string>; asked: string[] },
): Promise<void> {
  // Only what the filter says may have been archived is looked up (brand-new ids never were).
  const [missingMessages, missingConversations] = await Promise.all([
    maybeArchived(
      redis,
      keys,
      s.fields.filter((m) => !s.messages.has(m)),
    ),
    maybeArchived(
      redis,
      keys,
      s.asked.filter((f) => !s.conversations.has(f)),
    ),
  ]);
  const [archivedMessages, archivedConversations] = await Promise.all([
    archive.states('message', missingMessages),
    archive.states('conversation', missingConversations),
  ]);
  // An archive may answer for more than was asked (lookups of one batch's partitions are
  // shared): only what this partition asked is taken.
  const found: string[] = [];
  for (const f of missingMessages) {
    const v = archivedMessages.get(f);
    if (v !== undefined) {
      s.messages.set(f, v);
      found.push(v);
    }
  }
  for (const f of missingConversations) {
    const v = archivedConversations.get(f);
    if (v !== undefined) s.conversations.set(f, v);
  }
  // An archived message names its conversation: a thumb moving out of it retracts there.
  const asked = new Set(s.asked);
  const more: string[] = [];
  for (const stored of found) {
    const conversation = conversationOfMessage(stored);
    if (!asked.has(conversation)) {
      asked.add(conversation);
      more.push(conversation);
    }
  }
  if (more.length === 0) return;
  const inRedis = await readConversations(redis, keys, hot.buckets, hot.generation, more);
  const stillMissing: string[] = [];
  for (const f of more) {
    const v = inRedis.get(f);
    if (v) s.conversations.set(f, v);
    else stillMissing.push(f);
  }
  const archived = await archive.states('conversation', await maybeArchived(redis, keys, stillMissing));
  for (const f of stillMissing) {
    const v = archived.get(f);
    if (v !== undefined) s.conversations.set(f, v);
  }
}
