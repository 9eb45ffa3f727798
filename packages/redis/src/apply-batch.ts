import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

const READ = readFileSync(new URL('./lua/read-state.lua', import.meta.url), 'utf8');
const COMMIT = readFileSync(new URL('./lua/commit-state.lua', import.meta.url), 'utf8');

/** One event as the state resolution needs it. */
export interface BatchItem {
  /** workspace id */
  w: string;
  /** receive order (see receiveOrder) */
  r: string;
  e: {
    event_id: string;
    type: string;
    ts: number;
    conversation_id: string;
    message_id?: string;
    thumb?: string;
    score?: number;
    reason?: string;
  };
}

/** A signed change of the aggregates (bucket in epoch seconds). */
export interface BatchChange {
  workspace_id: string;
  bucket: number;
  conversation_id: string;
  message_id: string;
  event_id: string;
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
}

/** The new summary of a conversation the batch changed (times in epoch ms). */
export interface BatchConversation {
  workspace_id: string;
  conversation_id: string;
  started: number;
  score: number | null;
  reason: string;
  rated: number | null;
  thumbs_up: number;
  thumbs_down: number;
  version: number;
}

export interface BatchResolution {
  /** Indexes (into the items) of events seen for the first time. */
  fresh: number[];
  changes: BatchChange[];
  conversations: BatchConversation[];
}

export interface ApplyBatchOptions {
  dedupTtlSeconds: number;
  stateTtlSeconds: number;
  resultTtlSeconds: number;
}

/**
 * Registers the Lua scripts as commands. Done when a connection is created: ioredis's
 * auto-pipelining breaks on commands defined after its first pipeline.
 */
export function defineScripts(redis: Redis): void {
  redis.defineCommand('tlReadState', { numberOfKeys: 1, lua: READ });
  redis.defineCommand('tlCommitState', { numberOfKeys: 1, lua: COMMIT });
}

type WithScripts = Redis & {
  tlReadState(key: string, args: (string | number)[]): Promise<unknown>;
  tlCommitState(key: string, args: (string | number)[]): Promise<string>;
};

/** A message's latest thumb: thumb, ts, receive order, conversation (stored by storeMessage). */
type MessageState = [thumb: string, ts: number, recv: string, conversation: string];

/** A conversation's state, stored as JSON. */
interface ConversationState {
  started: number | null;
  up: number;
  down: number;
  score: number | null;
  reason: string;
  /** ts and receive order of the current CSAT */
  cts: number | null;
  crecv: string;
  version: number;
}

type StoredConversation = [number | null, number, number, number | null, string, number | null, string, number];

const toStored = (c: ConversationState): StoredConversation => [
  c.started,
  c.up,
  c.down,
  c.score,
  c.reason,
  c.cts,
  c.crecv,
  c.version,
];
const fromStored = ([
  started,
  up,
  down,
  score,
  reason,
  cts,
  crecv,
  version,
]: StoredConversation): ConversationState => ({
  started,
  up,
  down,
  score,
  reason,
  cts,
  crecv,
  version,
});

/** What one workspace's state looked like when the batch was read. */
interface WorkspaceSnapshot {
  /** The workspace's state version ('' = never written). */
  version: string;
  remembered: Set<string>;
  messages: Map<string, MessageState>;
  conversations: Map<string, ConversationState>;
}

interface Snapshot {
  dedupGen: number;
  stateGen: number;
  workspaces: Map<string, WorkspaceSnapshot>;
}

/** What a resolved batch writes per workspace. */
interface WorkspaceWrites {
  rememberIds: string[];
  messages: Map<string, MessageState>;
  conversations: Map<string, ConversationState>;
}

/**
 * A message or conversation id as a hash field: JSON, so it holds no tab or newline and
 * the commit script can take fields and values from lines (event ids are UUIDs already).
 */
const field = (id: string) => JSON.stringify(id);

/** A message state as stored: thumb, ts, receive order and conversation field, tab-separated. */
const storeMessage = (m: MessageState) => `${m[0]}\t${m[1]}\t${m[2]}\t${field(m[3])}`;

function loadMessage(stored: string): MessageState {
  const [thumb = '', ts = '0', recv = '', conversation = '""'] = stored.split('\t');
  return [thumb, Number(ts), recv, JSON.parse(conversation) as string];
}

type WorkspaceReply = [string | null, string, (string | null)[], string, (string | null)[]];
type ReadReply = [cached: string] | [null, dedupGen: number, stateGen: number, ...WorkspaceReply[]];

/**
 * Reads the current and previous generation of what the items touch, in one round trip
 * (lua/read-state.lua); or the batch's resolution when it was committed already.
 */
async function readSnapshot(
  redis: Redis,
  keys: Keys,
  batchKey: string,
  items: readonly BatchItem[],
  options: ApplyBatchOptions,
): Promise<Snapshot | { cached: BatchResolution }> {
  const wanted = new Map<string, { ids: Set<string>; mids: Set<string>; cids: Set<string> }>();
  for (const { w, e } of items) {
    let want = wanted.get(w);
    if (!want) wanted.set(w, (want = { ids: new Set(), mids: new Set(), cids: new Set() }));
    want.ids.add(e.event_id);
    want.cids.add(e.conversation_id);
    if (e.type === 'message.feedback' && e.message_id !== undefined) want.mids.add(e.message_id);
  }
  const order = [...wanted.entries()].map(([ws, want]) => ({
    ws,
    ids: [...want.ids],
    mids: [...want.mids],
    cids: [...want.cids],
  }));
  const args: (string | number)[] = [keys.prefix, options.dedupTtlSeconds, options.stateTtlSeconds, order.length];
  for (const { ws, ids, mids, cids } of order) {
    args.push(ws, ids.join('\n'), mids.map(field).join('\n'), cids.map(field).join('\n'));
  }
  const reply = (await (redis as WithScripts).tlReadState(batchKey, args)) as ReadReply;
  if (reply[0] !== null) return { cached: decodeResolution(reply[0], items) };
  const [, dedupGen, stateGen, ...perWorkspace] = reply;

  const workspaces = new Map<string, WorkspaceSnapshot>();
  order.forEach(({ ws, ids, mids, cids }, n) => {
    const [version, flags, msgs, extra, convs] = perWorkspace[n] as WorkspaceReply;
    const remembered = new Set<string>();
    ids.forEach((id, i) => {
      if (flags[i] === '1') remembered.add(id);
    });
    const messages = new Map<string, MessageState>();
    mids.forEach((mid, i) => {
      const stored = msgs[i];
      if (stored) messages.set(mid, loadMessage(stored));
    });
    const conversations = new Map<string, ConversationState>();
    const asked = extra === '' ? cids : cids.concat(extra.split('\n').map((f) => JSON.parse(f) as string));
    asked.forEach((cid, i) => {
      const stored = convs[i];
      if (stored) conversations.set(cid, fromStored(JSON.parse(stored) as StoredConversation));
    });
    workspaces.set(ws, { version: version ?? '', remembered, messages, conversations });
  });
  return { dedupGen, stateGen, workspaces };
}

/** Latest wins: greater ts, or equal ts and received later. */
const newer = (ts: number, recv: string, curTs: number | null | undefined, curRecv: string) =>
  curTs === null || curTs === undefined || (ts !== curTs ? ts > curTs : recv > curRecv);

const bucketOf = (ts: number) => Math.floor(ts / 900_000) * 900;

/**
 * Dedup and latest-wins over a snapshot, in receive order: which events are fresh, the
 * signed changes to the aggregates, the new summaries of the conversations that changed,
 * and the state to write. Pure: the same items and snapshot give the same answer.
 */
export function resolve(
  items: readonly BatchItem[],
  snapshot: Snapshot,
): { resolution: BatchResolution; writes: Map<string, WorkspaceWrites> } {
  const fresh: number[] = [];
  const changes: BatchChange[] = [];
  const writes = new Map<string, WorkspaceWrites>();
  const touched: { ws: string; cid: string; state: ConversationState; dirty: boolean }[] = [];
  const conversationsOf = new Map<string, Map<string, (typeof touched)[number]>>();
  const seenInBatch = new Map<string, Set<string>>();

  const writesOf = (ws: string) => {
    let w = writes.get(ws);
    if (!w) writes.set(ws, (w = { rememberIds: [], messages: new Map(), conversations: new Map() }));
    return w;
  };
  const conversation = (ws: string, cid: string) => {
    let byId = conversationsOf.get(ws);
    if (!byId) conversationsOf.set(ws, (byId = new Map()));
    let c = byId.get(cid);
    if (!c) {
      const stored = snapshot.workspaces.get(ws)?.conversations.get(cid);
      const state: ConversationState = stored
        ? { ...stored }
        : { started: null, up: 0, down: 0, score: null, reason: '', cts: null, crecv: '', version: 0 };
      c = { ws, cid, state, dirty: false };
      byId.set(cid, c);
      touched.push(c);
    }
    return c;
  };
  const change = (ws: string, ts: number, cid: string, mid: string, eid: string, v: [number, number, number, number]) =>
    changes.push({
      workspace_id: ws,
      bucket: bucketOf(ts),
      conversation_id: cid,
      message_id: mid,
      event_id: eid,
      thumbs_up: v[0],
      thumbs_down: v[1],
      csat_sum: v[2],
      csat_count: v[3],
    });

  items.forEach(({ w: ws, r: recv, e }, i) => {
    const snap = snapshot.workspaces.get(ws);
    let batchIds = seenInBatch.get(ws);
    if (!batchIds) seenInBatch.set(ws, (batchIds = new Set()));
    if (snap?.remembered.has(e.event_id) || batchIds.has(e.event_id)) return;
    batchIds.add(e.event_id);
    fresh.push(i);
    const out = writesOf(ws);
    out.rememberIds.push(e.event_id);
    const c = conversation(ws, e.conversation_id);
    if (c.state.started === null || e.ts < c.state.started) {
      c.state.started = e.ts;
      c.dirty = true;
    }
    if (e.type === 'message.feedback' && e.message_id !== undefined) {
      const mid = e.message_id;
      const m = out.messages.get(mid) ?? snap?.messages.get(mid);
      if (!newer(e.ts, recv, m?.[1], m?.[2] ?? '')) return;
      if (m && (m[0] === 'up' || m[0] === 'down')) {
        const old = conversation(ws, m[3]);
        if (m[0] === 'up') {
          change(ws, m[1], m[3], mid, e.event_id, [-1, 0, 0, 0]);
          old.state.up -= 1;
        } else {
          change(ws, m[1], m[3], mid, e.event_id, [0, -1, 0, 0]);
          old.state.down -= 1;
        }
        old.dirty = true;
      }
      if (e.thumb === 'up') {
        change(ws, e.ts, e.conversation_id, mid, e.event_id, [1, 0, 0, 0]);
        c.state.up += 1;
        c.dirty = true;
      } else if (e.thumb === 'down') {
        change(ws, e.ts, e.conversation_id, mid, e.event_id, [0, 1, 0, 0]);
        c.state.down += 1;
        c.dirty = true;
      }
      out.messages.set(mid, [e.thumb ?? 'none', e.ts, recv, e.conversation_id]);
    } else if (e.type === 'conversation.csat' && e.score !== undefined) {
      const s = c.state;
      if (!newer(e.ts, recv, s.cts, s.crecv)) return;
      if (s.score !== null && s.cts !== null)
        change(ws, s.cts, e.conversation_id, '', e.event_id, [0, 0, -s.score, -1]);
      change(ws, e.ts, e.conversation_id, '', e.event_id, [0, 0, e.score, 1]);
      Object.assign(s, { score: e.score, reason: e.reason ?? '', cts: e.ts, crecv: recv });
      c.dirty = true;
    }
  });

  const conversations: BatchConversation[] = [];
  for (const { ws, cid, state, dirty } of touched) {
    if (!dirty) continue;
    state.version += 1;
    writesOf(ws).conversations.set(cid, state);
    conversations.push({
      workspace_id: ws,
      conversation_id: cid,
      started: state.started as number,
      score: state.score,
      reason: state.reason,
      rated: state.cts,
      thumbs_up: state.up,
      thumbs_down: state.down,
      version: state.version,
    });
  }
  return { resolution: { fresh, changes, conversations }, writes };
}

/** A signed change as cached: item index, bucket, its conversation when not the item's (else 0), values. */
type CachedChange = [number, number, string | 0, number, number, number, number];
type CachedConversation = [string, string, number, number | null, string, number | null, number, number, number];

const itemKey = (ws: string, eventId: string) => `${ws}\u0000${eventId}`;

/**
 * The resolution as cached for a retry, without what the batch's items already say
 * (workspace, event and message ids): a quarter of the plain JSON, which went through
 * Redis and its append-only file for every event.
 */
function encodeResolution(res: BatchResolution, items: readonly BatchItem[]): string {
  const index = new Map<string, number>();
  for (const i of res.fresh) {
    const item = items[i] as BatchItem;
    index.set(itemKey(item.w, item.e.event_id), i);
  }
  const changes: CachedChange[] = res.changes.map((c) => {
    const i = index.get(itemKey(c.workspace_id, c.event_id)) as number;
    const own = (items[i] as BatchItem).e.conversation_id;
    return [
      i,
      c.bucket,
      c.conversation_id === own ? 0 : c.conversation_id,
      c.thumbs_up,
      c.thumbs_down,
      c.csat_sum,
      c.csat_count,
    ];
  });
  const conversations: CachedConversation[] = res.conversations.map((c) => [
    c.workspace_id,
    c.conversation_id,
    c.started,
    c.score,
    c.reason,
    c.rated,
    c.thumbs_up,
    c.thumbs_down,
    c.version,
  ]);
  return JSON.stringify([res.fresh, changes, conversations]);
}

function decodeResolution(cached: string, items: readonly BatchItem[]): BatchResolution {
  const [fresh, changes, conversations] = JSON.parse(cached) as [number[], CachedChange[], CachedConversation[]];
  return {
    fresh,
    changes: changes.map(([i, bucket, conversation, up, down, csatSum, csatCount]) => {
      const { w, e } = items[i] as BatchItem;
      return {
        workspace_id: w,
        bucket,
        conversation_id: conversation === 0 ? e.conversation_id : conversation,
        message_id: e.type === 'message.feedback' ? (e.message_id ?? '') : '',
        event_id: e.event_id,
        thumbs_up: up,
        thumbs_down: down,
        csat_sum: csatSum,
        csat_count: csatCount,
      };
    }),
    conversations: conversations.map(([ws, cid, started, score, reason, rated, up, down, version]) => ({
      workspace_id: ws,
      conversation_id: cid,
      started,
      score,
      reason,
      rated,
      thumbs_up: up,
      thumbs_down: down,
      version,
    })),
  };
}

/** The commit script's arguments after the key (see lua/commit-state.lua). */
function commitArgs(
  keys: Keys,
  snapshot: Snapshot,
  writes: Map<string, WorkspaceWrites>,
  options: ApplyBatchOptions,
  resolution: BatchResolution,
  items: readonly BatchItem[],
): (string | number)[] {
  const args: (string | number)[] = [
    keys.prefix,
    snapshot.dedupGen,
    options.dedupTtlSeconds,
    snapshot.stateGen,
    options.stateTtlSeconds,
    options.resultTtlSeconds,
    encodeResolution(resolution, items),
    snapshot.workspaces.size,
  ];
  for (const [ws, snap] of snapshot.workspaces) {
    const w = writes.get(ws);
    let messages = '';
    for (const [mid, m] of w?.messages ?? []) messages += `${field(mid)}\t${storeMessage(m)}\n`;
    let conversations = '';
    for (const [cid, c] of w?.conversations ?? []) conversations += `${field(cid)}\t${JSON.stringify(toStored(c))}\n`;
    args.push(ws, snap.version, (w?.rememberIds ?? []).join('\n'), messages, conversations);
  }
  return args;
}

/** Resolutions of one process take turns: they would only conflict with each other. */
const turns = new WeakMap<Redis, Promise<unknown>>();

/** Commits tried before giving up (the job is retried later). */
const MAX_CONFLICTS = 100;

/**
 * Resolves dedup and latest-wins state for a batch and commits it atomically (ADR 0007):
 * state is read with plain commands, resolved here, and written by one script only if
 * nothing it was read from changed meanwhile (else read and resolve again). The answer is
 * cached under the batch id in the same step: calling it again for the same batch returns
 * the same resolution.
 */
export function applyBatch(
  redis: Redis,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
): Promise<BatchResolution> {
  const previous = turns.get(redis) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(() => resolveAndCommit(redis, keys, batchId, items, options));
  turns.set(
    redis,
    mine.catch(() => undefined),
  );
  return mine;
}

async function resolveAndCommit(
  redis: Redis,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
): Promise<BatchResolution> {
  const r = redis as WithScripts;
  if (typeof r.tlCommitState !== 'function') defineScripts(redis);
  const batchKey = keys.batch(batchId);
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const snapshot = await readSnapshot(redis, keys, batchKey, items, options);
    if ('cached' in snapshot) return snapshot.cached;
    const { resolution, writes } = resolve(items, snapshot);
    const outcome = await r.tlCommitState(batchKey, commitArgs(keys, snapshot, writes, options, resolution, items));
    if (outcome === 'ok') return resolution;
    // 'committed': another delivery of this batch committed first; the next turn reads its answer.
  }
  throw new Error(`batch ${batchId}: state changed under ${MAX_CONFLICTS} attempts to commit it`);
}

/**
 * The receive order of the `index`-th event of stream entry `entryId`, as text that
 * sorts like the arrival order ("equal ts: the one received later wins").
 */
export function receiveOrder(entryId: string, index: number): string {
  const [ms = '0', seq = '0'] = entryId.split('-');
  return `${ms.padStart(15, '0')}-${seq.padStart(10, '0')}-${String(index).padStart(4, '0')}`;
}
