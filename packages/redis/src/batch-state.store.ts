// Where a batch's dedup and latest-wins state lives in Redis and how it is read and
// committed (ADR 0007, ADR 0009): per partition, one hash per kind and generation (fields
// "<ws>:<id>"); one script reads a snapshot, one commits a resolution if the snapshot is
// still current. Every key of a call is in the partition's hash slot.
import type { RedisClient } from './client.ts';
import type { PartitionKeys } from './keys.ts';
import { runRedisLua } from './scripts.ts';
import {
  BLANK_CONVERSATION,
  type BatchItem,
  type ConversationState,
  type MessageState,
  type Snapshot,
  type WorkspaceSnapshot,
  type WorkspaceWrites,
} from '@thumbline/events';

/** How long event ids, state and cached resolutions are kept. */
export interface ApplyBatchOptions {
  dedupTtlSeconds: number;
  stateTtlSeconds: number;
  resultTtlSeconds: number;
  /**
   * Generation length of state written before the two tiers (ADR 0010): such generations,
   * still in Redis after an upgrade, are archived like closed ones.
   */
  legacyStateTtlSeconds?: number;
}

/**
 * A conversation state is stored as a JSON array of these fields, in this order. Fields are
 * only ever appended: a state written by an earlier build is shorter and its missing fields
 * take their blank values (segments: '', no prompt).
 */
const CONVERSATION_FIELDS = [
  'started',
  'up',
  'down',
  'score',
  'reason',
  'cts',
  'crecv',
  'version',
  // segments and prompts (docs/data-model.md, segments)
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

const toStored = (c: ConversationState) => JSON.stringify(CONVERSATION_FIELDS.map((k) => c[k]));

/** A stored conversation state (see CONVERSATION_FIELDS). */
export function fromStored(stored: string): ConversationState {
  const values = JSON.parse(stored) as unknown[];
  return Object.fromEntries(
    CONVERSATION_FIELDS.map((k, i) => [k, i < values.length ? values[i] : BLANK_CONVERSATION[k]]),
  ) as unknown as ConversationState;
}

/**
 * A message or conversation id as a hash field: its workspace, then the id as JSON, so it
 * holds no tab or newline and the commit script can take fields and values from lines.
 * Workspace ids hold no ':' (validated at creation). Event ids are UUIDs already.
 */
const field = (ws: string, id: string) => `${ws}:${JSON.stringify(id)}`;
const eventField = (ws: string, eventId: string) => `${ws}:${eventId}`;

/** The id of a field made by `field`. */
const idOf = (stored: string) => JSON.parse(stored.slice(stored.indexOf(':') + 1)) as string;

/**
 * A message state as stored: thumb, ts, receive order, the segment's widget and locale (as
 * JSON: no tab or newline) and the conversation field, tab-separated. The conversation stays
 * last (read-state.lua takes it from there). State written before segments has four parts:
 * its thumb counted in segment ''.
 */
export const storeMessage = (ws: string, m: MessageState) =>
  `${m[0]}\t${m[1]}\t${m[2]}\t${JSON.stringify(m[4])}\t${JSON.stringify(m[5])}\t${field(ws, m[3])}`;

/** A message state as storeMessage wrote it (or an earlier build, without the segment). */
export function loadMessage(stored: string): MessageState {
  const parts = stored.split('\t');
  const [thumb = '', ts = '0', recv = ''] = parts;
  if (parts.length < 6) return [thumb, Number(ts), recv, idOf(parts[3] ?? ':""'), '', ''];
  const [, , , widget = '""', locale = '""', conversation = ':""'] = parts;
  return [thumb, Number(ts), recv, idOf(conversation), JSON.parse(widget) as string, JSON.parse(locale) as string];
}

/**
 * Where state that left Redis is found (ADR 0010): states of closed hot-window generations,
 * and the ids of events stored in ClickHouse. Without one, state expires from Redis.
 */
export interface ColdTier {
  /** Of these events Redis does not remember, those stored from another stream entry ("<ws>:<event id>"). */
  seenElsewhere(
    events: { workspaceId: string; conversationId: string; eventId: string; recv: string }[],
  ): Promise<Set<string>>;
  /** Archived states by field. */
  states(kind: 'message' | 'conversation', fields: string[]): Promise<Map<string, string>>;
  /** Archives a partition's closed generations (state-tiers.ts archiveClosed). */
  archive(partition: PartitionKeys): Promise<void>;
  /**
   * When this install's state went to two tiers (epoch ms): events accepted before it are
   * remembered only where the old build kept them, so they are looked up as late ones.
   */
  since(): Promise<number>;
}

/**
 * An event whose ts is this long after the start of the oldest dedup generation in Redis
 * cannot have been accepted before it (ingest refuses ts more than 5 minutes ahead of its
 * clock; 5 more for clocks that disagree): Redis alone says whether it was seen.
 */
const ACCEPTED_AFTER_TS_MS = 10 * 60_000;

type ReadReply =
  | [cached: string]
  | [null, 'archive', generation: string]
  | [null, null, dedupGen: number, stateGen: number]
  | [null, 1, string | null, string, (string | null)[], string, (string | null)[], string | null];

const generation = (now: number, ttlSeconds: number) => Math.floor(now / 1000 / ttlSeconds);

/**
 * Reads the current and previous generation of what the items touch in one partition, in
 * one round trip (lua/read-state.lua); or the batch's cached resolution when it was
 * committed already. Generations come from Redis's clock: when this process's clock
 * names other ones, the keys are built again for Redis's.
 */
export async function readSnapshot(
  redis: RedisClient,
  keys: PartitionKeys,
  batchId: string,
  items: readonly BatchItem[],
  options: ApplyBatchOptions,
  cold?: ColdTier,
): Promise<Snapshot | { cached: string }> {
  // Each field once, in first-seen order (a Set keeps insertion order).
  const ids = new Set<string>();
  const mids = new Set<string>();
  const cids = new Set<string>();
  for (const { w, e } of items) {
    ids.add(eventField(w, e.event_id));
    cids.add(field(w, e.conversation_id));
    if (e.type === 'message.feedback' && e.message_id !== undefined) mids.add(field(w, e.message_id));
  }
  const [idFields, midFields, cidFields] = [[...ids], [...mids], [...cids]];
  // An upgraded install's older state is registered before the first read (ADR 0010).
  const tiersSince = cold ? await cold.since() : 0;
  let dedupGen = generation(Date.now(), options.dedupTtlSeconds);
  let stateGen = generation(Date.now(), options.stateTtlSeconds);
  for (let attempt = 0; ; attempt++) {
    const reply = (await runRedisLua(
      redis,
      'read-state',
      [
        keys.batch(batchId),
        keys.version,
        keys.state('dedup', dedupGen),
        keys.state('dedup', dedupGen - 1),
        keys.state('msgs', stateGen),
        keys.state('msgs', stateGen - 1),
        keys.state('convs', stateGen),
        keys.state('convs', stateGen - 1),
        keys.generations,
        keys.archived,
      ],
      [
        dedupGen,
        options.dedupTtlSeconds,
        stateGen,
        options.stateTtlSeconds,
        idFields.join('\n'),
        midFields.join('\n'),
        cidFields.join('\n'),
        cold ? '1' : '0',
      ],
    )) as ReadReply;
    if (reply[0] !== null) return { cached: reply[0] };
    if (reply[1] === 'archive') {
      // A generation that left the read set unarchived (no maintenance ran meanwhile).
      await (cold as ColdTier).archive(keys);
      continue;
    }
    if (reply[1] === null) {
      if (attempt >= 2) throw new Error('Redis clock keeps moving across state generations');
      [, , dedupGen, stateGen] = reply;
      continue;
    }
    const [, , version, flags, msgs, extra, convs, archived] = reply;
    const asked = extra === '' ? cidFields : cidFields.concat(extra.split('\n'));
    const seen = new Set<string>();
    idFields.forEach((f, i) => {
      if (flags[i] === '1') seen.add(f);
    });
    const messages = new Map<string, string>();
    midFields.forEach((f, i) => {
      const stored = msgs[i];
      if (stored) messages.set(f, stored);
    });
    const conversations = new Map<string, string>();
    asked.forEach((f, i) => {
      const stored = convs[i];
      if (stored) conversations.set(f, stored);
    });
    if (cold) {
      await fromColdTier(redis, keys, cold, {
        archived: archived !== null,
        tiersSince,
        items,
        dedupGen,
        stateGen,
        options,
        seen,
        messages,
        conversations,
        asked,
      });
    }
    const workspaces = new Map<string, WorkspaceSnapshot>();
    const of = (ws: string) => {
      let s = workspaces.get(ws);
      if (!s) workspaces.set(ws, (s = { remembered: new Set(), messages: new Map(), conversations: new Map() }));
      return s;
    };
    const wsOf = (f: string) => f.slice(0, f.indexOf(':'));
    for (const f of seen) of(wsOf(f)).remembered.add(f.slice(f.indexOf(':') + 1));
    for (const [f, stored] of messages) of(wsOf(f)).messages.set(idOf(f), loadMessage(stored));
    for (const [f, stored] of conversations) of(wsOf(f)).conversations.set(idOf(f), fromStored(stored));
    return { dedupGen, stateGen, version: version ?? '', workspaces };
  }
}

/**
 * Completes a snapshot with what only the cold tier holds (ADR 0010), in place: late
 * events' ids stored from other entries, and archived states of the messages and
 * conversations Redis does not hold (and of the conversations those messages name).
 */
async function fromColdTier(
  redis: RedisClient,
  keys: PartitionKeys,
  cold: ColdTier,
  s: {
    /** The partition ever archived state: else only late events' ids are looked up. */
    archived: boolean;
    /** When the install's state went to two tiers (ColdTier.since). */
    tiersSince: number;
    items: readonly BatchItem[];
    dedupGen: number;
    stateGen: number;
    options: ApplyBatchOptions;
    seen: Set<string>;
    messages: Map<string, string>;
    conversations: Map<string, string>;
    asked: string[];
  },
): Promise<void> {
  const hotSinceMs = Math.max((s.dedupGen - 1) * s.options.dedupTtlSeconds * 1000, s.tiersSince) + ACCEPTED_AFTER_TS_MS;
  const late = new Map<string, { workspaceId: string; conversationId: string; eventId: string; recv: string }>();
  const missingMessages = new Set<string>();
  for (const { w, r, e } of s.items) {
    const f = eventField(w, e.event_id);
    if (e.ts < hotSinceMs && !s.seen.has(f) && !late.has(f)) {
      late.set(f, { workspaceId: w, conversationId: e.conversation_id, eventId: e.event_id, recv: r });
    }
    if (s.archived && e.type === 'message.feedback' && e.message_id !== undefined) {
      const m = field(w, e.message_id);
      if (!s.messages.has(m)) missingMessages.add(m);
    }
  }
  const missingConversations = s.archived ? s.asked.filter((f) => !s.conversations.has(f)) : [];
  const [seenElsewhere, archivedMessages, archivedConversations] = await Promise.all([
    cold.seenElsewhere([...late.values()]),
    cold.states('message', [...missingMessages]),
    cold.states('conversation', missingConversations),
  ]);
  // A cold tier may answer for more than was asked (lookups of one batch's partitions are
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
    const conversation = stored.slice(stored.lastIndexOf('\t') + 1);
    if (!asked.has(conversation)) {
      asked.add(conversation);
      more.push(conversation);
    }
  }
  if (more.length === 0) return;
  const [current, previous] = await Promise.all([
    redis.hmget(keys.state('convs', s.stateGen), ...more),
    redis.hmget(keys.state('convs', s.stateGen - 1), ...more),
  ]);
  const stillMissing: string[] = [];
  more.forEach((f, i) => {
    const v = current[i] ?? previous[i];
    if (v) s.conversations.set(f, v);
    else stillMissing.push(f);
  });
  const archived = await cold.states('conversation', stillMissing);
  for (const f of stillMissing) {
    const v = archived.get(f);
    if (v !== undefined) s.conversations.set(f, v);
  }
}

/**
 * Commits a resolution's writes in one partition and caches it (already encoded) under the
 * batch key, if the snapshot it was resolved from is still current (lua/commit-state.lua):
 * 'ok', 'conflict' (read and resolve again), or 'committed' (another delivery did it first).
 */
export async function commitState(
  redis: RedisClient,
  keys: PartitionKeys,
  batchId: string,
  snapshot: Snapshot,
  writes: Map<string, WorkspaceWrites>,
  options: ApplyBatchOptions,
  cachedResolution: string,
  cold = false,
): Promise<'ok' | 'conflict' | 'committed'> {
  let ids = '';
  let messages = '';
  let conversations = '';
  for (const [ws, w] of writes) {
    for (const id of w.rememberIds) ids += `${eventField(ws, id)}\n`;
    for (const [mid, m] of w.messages) messages += `${field(ws, mid)}\t${storeMessage(ws, m)}\n`;
    for (const [cid, c] of w.conversations) conversations += `${field(ws, cid)}\t${toStored(c)}\n`;
  }
  return runRedisLua<'ok' | 'conflict' | 'committed'>(
    redis,
    'commit-state',
    [
      keys.batch(batchId),
      keys.version,
      keys.state('dedup', snapshot.dedupGen),
      keys.state('msgs', snapshot.stateGen),
      keys.state('convs', snapshot.stateGen),
      keys.generations,
    ],
    [
      snapshot.dedupGen,
      options.dedupTtlSeconds,
      snapshot.stateGen,
      options.stateTtlSeconds,
      options.resultTtlSeconds,
      cachedResolution,
      snapshot.version,
      ids,
      messages,
      conversations,
      cold ? '1' : '0',
    ],
  );
}
