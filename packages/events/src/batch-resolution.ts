// Dedup and latest-wins for one batch, as pure functions over a snapshot of the state
// (read and committed by packages/redis's batch-state.store.ts; see ADR 0001 and ADR 0007).
// Domain rules, no I/O: they sit beside the event schemas.

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

/** A message's latest thumb: thumb, ts, receive order, conversation (stored by storeMessage). */
export type MessageState = [thumb: string, ts: number, recv: string, conversation: string];

/** A conversation's state, stored as JSON. */
export interface ConversationState {
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

/** What one workspace's state looked like when the batch was read. */
export interface WorkspaceSnapshot {
  remembered: Set<string>;
  messages: Map<string, MessageState>;
  conversations: Map<string, ConversationState>;
}

/** What one partition's state looked like when its part of the batch was read. */
export interface Snapshot {
  dedupGen: number;
  stateGen: number;
  /** The partition's state version ('' = never written). */
  version: string;
  workspaces: Map<string, WorkspaceSnapshot>;
}

/** What a resolved batch writes per workspace. */
export interface WorkspaceWrites {
  rememberIds: string[];
  messages: Map<string, MessageState>;
  conversations: Map<string, ConversationState>;
}

/** Latest wins: greater ts, or equal ts and received later. */
const newer = (ts: number, recv: string, curTs: number | null | undefined, curRecv: string) =>
  curTs === null || curTs === undefined || (ts !== curTs ? ts > curTs : recv > curRecv);

const bucketOf = (ts: number) => Math.floor(ts / 900_000) * 900;

/**
 * Dedup and latest-wins over a snapshot, in receive order: which events are fresh, the
 * signed changes to the aggregates, the new summaries of the conversations that changed,
 * and the state to write. Pure: the same items, snapshot and exclusions give the same answer.
 */
export function resolve(
  items: readonly BatchItem[],
  snapshot: Snapshot,
  /** Indexes of items left out, as if they were not in the batch (refused by storage). */
  excluded: ReadonlySet<number> = new Set(),
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
    if (excluded.has(i)) return;
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

/**
 * The receive order of the `index`-th event of stream entry `entryId`, as text that
 * sorts like the arrival order ("equal ts: the one received later wins").
 */
export function receiveOrder(entryId: string, index: number): string {
  const [ms = '0', seq = '0'] = entryId.split('-');
  return `${ms.padStart(15, '0')}-${seq.padStart(10, '0')}-${String(index).padStart(4, '0')}`;
}
