// The snapshot one partition's part of a batch is resolved from: what the hot tier holds,
// completed from the archive with what left Redis (ADR 0010).
import type { BatchItem, Snapshot, WorkspaceSnapshot } from '@thumbline/events';
import type { PartitionKeys, RedisClient } from '@thumbline/redis';
import type { Archive } from './archive.ts';
import {
  conversationOfMessage,
  eventField,
  idOfField,
  loadConversation,
  loadMessage,
  stateField,
  workspaceOfField,
} from './encoding.ts';
import { readHot, type HotRead } from './hot.ts';

/**
 * An event whose ts is this long after the time from which Redis remembers every id cannot
 * have been committed before it (ingest refuses a ts more than 5 minutes ahead of its clock;
 * 5 more for clocks that disagree): Redis alone says whether it was seen.
 */
const ACCEPTED_AFTER_TS_MS = 10 * 60_000;

/** A snapshot with the hot read it came from (the commit checks that read is still current). */
export interface PartitionSnapshot {
  snapshot: Snapshot;
  read: Pick<HotRead, 'generation' | 'version'>;
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
): Promise<PartitionSnapshot | { cached: string }> {
  // Each field once, in first-seen order (a Set keeps insertion order).
  const ids = new Set<string>();
  const mids = new Set<string>();
  const cids = new Set<string>();
  for (const { w, e } of items) {
    ids.add(eventField(w, e.event_id));
    cids.add(stateField(w, e.conversation_id));
    if (e.type === 'message.feedback' && e.message_id !== undefined) mids.add(stateField(w, e.message_id));
  }
  const fields = { ids: [...ids], messages: [...mids], conversations: [...cids] };
  const hot = await readHot(redis, keys, batchId, fields, (g) => archive.archiveGeneration(keys, g));
  if ('cached' in hot) return hot;
  const seen = new Set<string>();
  fields.ids.forEach((f, i) => {
    if (hot.seen[i]) seen.add(f);
  });
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
  await fromArchive(redis, keys, archive, hot, { items, seen, messages, conversations, asked });
  const workspaces = new Map<string, WorkspaceSnapshot>();
  const of = (ws: string) => {
    let s = workspaces.get(ws);
    if (!s) workspaces.set(ws, (s = { remembered: new Set(), messages: new Map(), conversations: new Map() }));
    return s;
  };
  for (const f of seen) of(workspaceOfField(f)).remembered.add(f.slice(f.indexOf(':') + 1));
  for (const [f, stored] of messages) of(workspaceOfField(f)).messages.set(idOfField(f), loadMessage(stored));
  for (const [f, stored] of conversations) {
    of(workspaceOfField(f)).conversations.set(idOfField(f), loadConversation(stored));
  }
  return {
    snapshot: { workspaces },
    read: { generation: hot.generation, version: hot.version },
  };
}

/**
 * Completes a snapshot in place with what only the archive holds: late events' ids stored
 * from other entries, and archived states of the messages and conversations Redis does not
 * hold (and of the conversations those messages name).
 */
async function fromArchive(
  redis: RedisClient,
  keys: PartitionKeys,
  archive: Archive,
  hot: HotRead,
  s: {
    items: readonly BatchItem[];
    seen: Set<string>;
    messages: Map<string, string>;
    conversations: Map<string, string>;
    asked: string[];
  },
): Promise<void> {
  const late = new Map<string, { workspaceId: string; conversationId: string; eventId: string; recv: string }>();
  const missingMessages = new Set<string>();
  for (const { w, r, e } of s.items) {
    const f = eventField(w, e.event_id);
    if (hot.remembersSince !== null && e.ts < hot.remembersSince + ACCEPTED_AFTER_TS_MS) {
      if (!s.seen.has(f) && !late.has(f)) {
        late.set(f, { workspaceId: w, conversationId: e.conversation_id, eventId: e.event_id, recv: r });
      }
    }
    if (hot.archived && e.type === 'message.feedback' && e.message_id !== undefined) {
      const m = stateField(w, e.message_id);
      if (!s.messages.has(m)) missingMessages.add(m);
    }
  }
  const missingConversations = hot.archived ? s.asked.filter((f) => !s.conversations.has(f)) : [];
  const [seenElsewhere, archivedMessages, archivedConversations] = await Promise.all([
    archive.seenElsewhere([...late.values()]),
    archive.states('message', [...missingMessages]),
    archive.states('conversation', missingConversations),
  ]);
  // An archive may answer for more than was asked (lookups of one batch's partitions are
  // shared): only what this partition asked is taken.
  for (const f of late.keys()) if (seenElsewhere.has(f)) s.seen.add(f);
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
  const [current, previous] = await Promise.all([
    redis.hmget(keys.state('convs', hot.generation), ...more),
    redis.hmget(keys.state('convs', hot.generation - 1), ...more),
  ]);
  const stillMissing: string[] = [];
  more.forEach((f, i) => {
    const v = current[i] ?? previous[i];
    if (v) s.conversations.set(f, v);
    else stillMissing.push(f);
  });
  const archived = await archive.states('conversation', stillMissing);
  for (const f of stillMissing) {
    const v = archived.get(f);
    if (v !== undefined) s.conversations.set(f, v);
  }
}
