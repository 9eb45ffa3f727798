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
    widget_id?: string;
    locale?: string;
  };
}

/** The segment a row counts in (docs/data-model.md, segments): widget id and lowercased locale, '' for none. */
export interface Segment {
  widget_id: string;
  locale: string;
}

/** The segment of an event: its own widget and locale ('' when absent), the locale lowercased. */
export const segmentOf = (e: { widget_id?: string | undefined; locale?: string | undefined }): Segment => ({
  widget_id: e.widget_id ?? '',
  locale: (e.locale ?? '').toLowerCase(),
});

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
  /** The segment of the event this row counts (a retraction: of the event it retracts). */
  widget_id: string;
  locale: string;
  /** ±1 at the bucket and segment of a conversation's first rating prompt. */
  prompted: number;
  /** ±1 there while the conversation also has a current CSAT. */
  responded: number;
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
  /** Widget and locale (as sent) of its earliest event naming one; '' for none. */
  widget_id: string;
  locale: string;
}

export interface BatchResolution {
  /** Indexes (into the items) of events seen for the first time. */
  fresh: number[];
  changes: BatchChange[];
  conversations: BatchConversation[];
}

/**
 * A message's latest thumb: thumb, ts, receive order, conversation, and the segment of the
 * event that set it (stored by storeMessage; '' in state written before segments).
 */
export type MessageState = [
  thumb: string,
  ts: number,
  recv: string,
  conversation: string,
  widget: string,
  locale: string,
];

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
  /** Segment of the current CSAT's event. */
  cw: string;
  cl: string;
  /** The conversation's widget (as sent), and the ts and receive order of the earliest event naming one. */
  widget: string;
  wts: number | null;
  wrecv: string;
  /** Likewise its locale. */
  locale: string;
  lts: number | null;
  lrecv: string;
  /** ts, receive order and segment of its first rating prompt. */
  pts: number | null;
  precv: string;
  pw: string;
  pl: string;
}

/** The state of a conversation no event named yet; also the defaults of fields added later. */
export const BLANK_CONVERSATION: Readonly<ConversationState> = {
  started: null,
  up: 0,
  down: 0,
  score: null,
  reason: '',
  cts: null,
  crecv: '',
  version: 0,
  cw: '',
  cl: '',
  widget: '',
  wts: null,
  wrecv: '',
  locale: '',
  lts: null,
  lrecv: '',
  pts: null,
  precv: '',
  pw: '',
  pl: '',
};

/** What one workspace's state looked like when the batch was read. */
export interface WorkspaceSnapshot {
  remembered: Set<string>;
  messages: Map<string, MessageState>;
  conversations: Map<string, ConversationState>;
}

/** What one partition's state looked like when its part of the batch was read, by workspace. */
export interface Snapshot {
  workspaces: Map<string, WorkspaceSnapshot>;
}

/** What a resolved batch writes per workspace. */
export interface WorkspaceWrites {
  messages: Map<string, MessageState>;
  conversations: Map<string, ConversationState>;
}

/** Latest wins: greater ts, or equal ts and received later. */
const newer = (ts: number, recv: string, curTs: number | null | undefined, curRecv: string) =>
  curTs === null || curTs === undefined || (ts !== curTs ? ts > curTs : recv > curRecv);

/** Earliest wins (the mirror of `newer`): smaller ts, or equal ts and received earlier. */
const earlier = (ts: number, recv: string, curTs: number | null, curRecv: string) =>
  curTs === null || (ts !== curTs ? ts < curTs : recv < curRecv);

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
    if (!w) writes.set(ws, (w = { messages: new Map(), conversations: new Map() }));
    return w;
  };
  const conversation = (ws: string, cid: string) => {
    let byId = conversationsOf.get(ws);
    if (!byId) conversationsOf.set(ws, (byId = new Map()));
    let c = byId.get(cid);
    if (!c) {
      const stored = snapshot.workspaces.get(ws)?.conversations.get(cid);
      const state: ConversationState = { ...BLANK_CONVERSATION, ...stored };
      c = { ws, cid, state, dirty: false };
      byId.set(cid, c);
      touched.push(c);
    }
    return c;
  };
  /** A signed row: [thumbs_up, thumbs_down, csat_sum, csat_count, prompted, responded] in `seg`. */
  const change = (
    ws: string,
    ts: number,
    cid: string,
    mid: string,
    eid: string,
    seg: Segment,
    v: [number, number, number, number, number?, number?],
  ) =>
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
      widget_id: seg.widget_id,
      locale: seg.locale,
      prompted: v[4] ?? 0,
      responded: v[5] ?? 0,
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
    const c = conversation(ws, e.conversation_id);
    const seg = segmentOf(e);
    if (c.state.started === null || e.ts < c.state.started) {
      c.state.started = e.ts;
      c.dirty = true;
    }
    if (e.widget_id !== undefined && earlier(e.ts, recv, c.state.wts, c.state.wrecv)) {
      Object.assign(c.state, { widget: e.widget_id, wts: e.ts, wrecv: recv });
      c.dirty = true;
    }
    if (e.locale !== undefined && earlier(e.ts, recv, c.state.lts, c.state.lrecv)) {
      Object.assign(c.state, { locale: e.locale, lts: e.ts, lrecv: recv });
      c.dirty = true;
    }
    if (e.type === 'message.feedback' && e.message_id !== undefined) {
      const mid = e.message_id;
      const m = out.messages.get(mid) ?? snap?.messages.get(mid);
      if (!newer(e.ts, recv, m?.[1], m?.[2] ?? '')) return;
      if (m && (m[0] === 'up' || m[0] === 'down')) {
        // The old thumb leaves the bucket and segment of the event that set it.
        const old = conversation(ws, m[3]);
        const oldSeg = { widget_id: m[4], locale: m[5] };
        if (m[0] === 'up') {
          change(ws, m[1], m[3], mid, e.event_id, oldSeg, [-1, 0, 0, 0]);
          old.state.up -= 1;
        } else {
          change(ws, m[1], m[3], mid, e.event_id, oldSeg, [0, -1, 0, 0]);
          old.state.down -= 1;
        }
        old.dirty = true;
      }
      if (e.thumb === 'up') {
        change(ws, e.ts, e.conversation_id, mid, e.event_id, seg, [1, 0, 0, 0]);
        c.state.up += 1;
        c.dirty = true;
      } else if (e.thumb === 'down') {
        change(ws, e.ts, e.conversation_id, mid, e.event_id, seg, [0, 1, 0, 0]);
        c.state.down += 1;
        c.dirty = true;
      }
      out.messages.set(mid, [e.thumb ?? 'none', e.ts, recv, e.conversation_id, seg.widget_id, seg.locale]);
    } else if (e.type === 'conversation.csat' && e.score !== undefined) {
      const s = c.state;
      if (!newer(e.ts, recv, s.cts, s.crecv)) return;
      if (s.score !== null && s.cts !== null) {
        change(ws, s.cts, e.conversation_id, '', e.event_id, { widget_id: s.cw, locale: s.cl }, [0, 0, -s.score, -1]);
      } else if (s.pts !== null) {
        // The first rating: the conversation's first prompt has a response now.
        change(ws, s.pts, e.conversation_id, '', e.event_id, { widget_id: s.pw, locale: s.pl }, [0, 0, 0, 0, 0, 1]);
      }
      change(ws, e.ts, e.conversation_id, '', e.event_id, seg, [0, 0, e.score, 1]);
      Object.assign(s, {
        score: e.score,
        reason: e.reason ?? '',
        cts: e.ts,
        crecv: recv,
        cw: seg.widget_id,
        cl: seg.locale,
      });
      c.dirty = true;
    } else if (e.type === 'conversation.csat_prompted') {
      // Only the first prompt counts: an earlier one arriving late moves the count (and the
      // response, when the conversation is rated) from the old prompt to itself.
      const s = c.state;
      if (!earlier(e.ts, recv, s.pts, s.precv)) return;
      const rated = s.score === null ? 0 : 1;
      if (s.pts !== null) {
        const first = { widget_id: s.pw, locale: s.pl };
        change(ws, s.pts, e.conversation_id, '', e.event_id, first, [0, 0, 0, 0, -1, rated ? -1 : 0]);
      }
      change(ws, e.ts, e.conversation_id, '', e.event_id, seg, [0, 0, 0, 0, 1, rated]);
      Object.assign(s, { pts: e.ts, precv: recv, pw: seg.widget_id, pl: seg.locale });
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
      widget_id: state.widget,
      locale: state.locale,
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
