import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';
import { runRedisLua } from './scripts.ts';

/** Deltas kept per workspace for clients catching up after a disconnect (at most: see LiveBudget). */
export const LIVE_HISTORY = 1000;

/**
 * Bytes the live buffers may hold: each workspace's recent deltas, and the live stream all
 * gateways read. A delta lists every conversation its batch changed, so a batch of thousands
 * of new conversations makes one of a megabyte: counted in deltas alone, these buffers held
 * more than the batch state (issue 22). Past a budget the oldest go; a client that needed
 * them gets a resync.
 */
export interface LiveBudget {
  historyBytes: number;
  streamBytes: number;
}

export const DEFAULT_LIVE_BUDGET: LiveBudget = { historyBytes: 4 * 1024 ** 2, streamBytes: 16 * 1024 ** 2 };
/**
 * How long entries stay in the live stream all gateways read (ms). Gateways read it as it
 * grows; a client that misses deltas catches up from its workspace's history. Trimmed by
 * age, not count, so its memory follows the delta rate, not the events (issue 14).
 */
export const LIVE_STREAM_KEEP_MS = 60_000;
/** How long a workspace's catch-up history outlives its last delta (seconds). */
export const LIVE_HISTORY_IDLE_S = 60;

/** A published delta as the live stream carries it. */
export interface LiveEntry {
  /** Stream id, for resuming the read. */
  id: string;
  workspaceId: string;
  seq: number;
  /** Delta JSON without seq. */
  body: string;
  /** The Socket.IO event it becomes: a delta (with seq), or a review change (seq 0). */
  event: 'delta' | 'review';
}

/**
 * Publishes a committed batch's delta for one workspace; returns its seq. Calling it
 * again for the same batch and workspace returns the same seq and stores nothing new;
 * the live stream may get the entry again, which clients skip (seq already applied).
 */
export async function publishDelta(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  workspaceId: string,
  body: string,
  /** How long the marker lives: as long as the batch may be replayed (it is deleted when the batch is done). */
  markerTtlSeconds: number,
  budget: LiveBudget = DEFAULT_LIVE_BUDGET,
): Promise<number> {
  const seq = await runRedisLua<number>(
    redis,
    'publish-delta',
    [
      keys.published(batchId, workspaceId),
      keys.liveSeq(workspaceId),
      keys.liveHistory(workspaceId),
      keys.liveHistoryBytes(workspaceId),
    ],
    [body, LIVE_HISTORY, markerTtlSeconds, LIVE_HISTORY_IDLE_S, budget.historyBytes],
  );
  await runRedisLua(
    redis,
    'append-live',
    [keys.liveStream, keys.liveStreamBytes],
    [workspaceId, seq, body, budget.streamBytes, 'delta'],
  );
  return seq;
}

/**
 * Sends a review change (`{ conversation_id, review }`, CONTRACT §12) to the workspace's
 * dashboards through the live stream. Outside the delta sequence: dashboards apply it as it
 * comes and refetch reviews after a reconnection.
 */
export async function publishReview(
  redis: RedisClient,
  keys: Keys,
  workspaceId: string,
  body: string,
  budget: LiveBudget = DEFAULT_LIVE_BUDGET,
): Promise<void> {
  await runRedisLua(
    redis,
    'append-live',
    [keys.liveStream, keys.liveStreamBytes],
    [workspaceId, 0, body, budget.streamBytes, 'review'],
  );
}

/** The last seq published for a workspace (0 before the first). */
export async function liveSeq(redis: RedisClient, keys: Keys, workspaceId: string): Promise<number> {
  return Number((await redis.get(keys.liveSeq(workspaceId))) ?? 0);
}

/**
 * Deltas after `afterSeq`, in order, or null when some of them are no longer kept
 * (the client must refetch).
 */
export async function deltasSince(
  redis: RedisClient,
  keys: Keys,
  workspaceId: string,
  afterSeq: number,
): Promise<{ seq: number; body: string }[] | null> {
  const current = await liveSeq(redis, keys, workspaceId);
  if (afterSeq >= current) return [];
  const raw = (await redis.xrange(keys.liveHistory(workspaceId), `${afterSeq + 1}-0`, '+')) as [string, string[]][];
  const out = raw.map(([id, fields]) => ({ seq: Number(id.split('-')[0]), body: fields[1] ?? '{}' }));
  // Complete only if it holds every seq from afterSeq + 1 to the current one (publish-delta.lua
  // adds seq and entry in one step): older ones may have been trimmed, and an erasure removes the
  // deltas naming its conversations (erase-buffers.ts) wherever they are. A client given the
  // ones after a hole would hold them forever, waiting for the missing one.
  if (out.length !== current - afterSeq || !out.every((d, i) => d.seq === afterSeq + 1 + i)) return null;
  return out;
}

/**
 * Reads the live stream after `lastId` ('$' = only new), waiting up to `blockMs`.
 * One read serves every socket of a gateway node.
 */
export async function readLive(redis: RedisClient, keys: Keys, lastId: string, blockMs: number): Promise<LiveEntry[]> {
  const res = (await redis.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', keys.liveStream, lastId)) as
    [string, [string, string[]][]][] | null;
  const entries = res?.[0]?.[1] ?? [];
  return entries.map(([id, f]) => {
    const m = new Map<string, string>();
    for (let i = 0; i + 1 < f.length; i += 2) m.set(f[i] as string, f[i + 1] as string);
    return {
      id,
      workspaceId: m.get('ws') ?? '',
      seq: Number(m.get('seq')),
      body: m.get('d') ?? '{}',
      event: m.get('e') === 'review' ? 'review' : 'delta',
    };
  });
}

/** Trims the live stream by age when no delta does (traffic stopped): its memory goes with it. */
export async function trimLiveStream(redis: RedisClient, keys: Keys): Promise<void> {
  await runRedisLua(
    redis,
    'trim-live',
    [keys.liveStream, keys.liveStreamBytes],
    [`${Date.now() - LIVE_STREAM_KEEP_MS}-0`],
  );
}
