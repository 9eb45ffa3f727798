// Where a batch's dedup and latest-wins state lives in Redis and how it is read and
// committed (ADR 0007): hashes per workspace, kind and generation; one script reads a
// snapshot, one commits a resolution if the snapshot is still current.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import type {
  BatchItem,
  ConversationState,
  MessageState,
  Snapshot,
  WorkspaceSnapshot,
  WorkspaceWrites,
} from './batch-resolution.ts';

const READ = readFileSync(new URL('./lua/read-state.lua', import.meta.url), 'utf8');
const COMMIT = readFileSync(new URL('./lua/commit-state.lua', import.meta.url), 'utf8');

/** How long event ids, state and cached resolutions are kept. */
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

/** The connection with the scripts (defined on it now if it was created elsewhere). */
function withScripts(redis: Redis): WithScripts {
  const r = redis as WithScripts;
  if (typeof r.tlCommitState !== 'function') defineScripts(redis);
  return r;
}

/** A conversation state is stored as a JSON array of these fields, in this order. */
const CONVERSATION_FIELDS = ['started', 'up', 'down', 'score', 'reason', 'cts', 'crecv', 'version'] as const;

const toStored = (c: ConversationState) => JSON.stringify(CONVERSATION_FIELDS.map((k) => c[k]));

function fromStored(stored: string): ConversationState {
  const values = JSON.parse(stored) as unknown[];
  return Object.fromEntries(CONVERSATION_FIELDS.map((k, i) => [k, values[i]])) as unknown as ConversationState;
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
 * (lua/read-state.lua); or the batch's cached resolution when it was committed already.
 */
export async function readSnapshot(
  redis: Redis,
  keys: Keys,
  batchKey: string,
  items: readonly BatchItem[],
  options: ApplyBatchOptions,
): Promise<Snapshot | { cached: string }> {
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
  const reply = (await withScripts(redis).tlReadState(batchKey, args)) as ReadReply;
  if (reply[0] !== null) return { cached: reply[0] };
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
      if (stored) conversations.set(cid, fromStored(stored));
    });
    workspaces.set(ws, { version: version ?? '', remembered, messages, conversations });
  });
  return { dedupGen, stateGen, workspaces };
}

/**
 * Commits a resolution's writes and caches it (already encoded) under the batch key, if
 * the snapshot it was resolved from is still current (lua/commit-state.lua): 'ok',
 * 'conflict' (read and resolve again), or 'committed' (another delivery did it first).
 */
export async function commitState(
  redis: Redis,
  keys: Keys,
  batchKey: string,
  snapshot: Snapshot,
  writes: Map<string, WorkspaceWrites>,
  options: ApplyBatchOptions,
  cachedResolution: string,
): Promise<'ok' | 'conflict' | 'committed'> {
  const args: (string | number)[] = [
    keys.prefix,
    snapshot.dedupGen,
    options.dedupTtlSeconds,
    snapshot.stateGen,
    options.stateTtlSeconds,
    options.resultTtlSeconds,
    cachedResolution,
    snapshot.workspaces.size,
  ];
  for (const [ws, snap] of snapshot.workspaces) {
    const w = writes.get(ws);
    let messages = '';
    for (const [mid, m] of w?.messages ?? []) messages += `${field(mid)}\t${storeMessage(m)}\n`;
    let conversations = '';
    for (const [cid, c] of w?.conversations ?? []) conversations += `${field(cid)}\t${toStored(c)}\n`;
    args.push(ws, snap.version, (w?.rememberIds ?? []).join('\n'), messages, conversations);
  }
  return (await withScripts(redis).tlCommitState(batchKey, args)) as 'ok' | 'conflict' | 'committed';
}
