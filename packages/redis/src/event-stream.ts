// The ingest streams, one per partition (ADR 0009): appending a request's events (rate
// limits, backpressure, group commit) and reading them back with a consumer group.
import type { RedisClient } from './client.ts';
import type { Keys, PartitionKeys } from './keys.ts';
import { runRedisLua } from './scripts.ts';
import { perTurn } from './turn-batch.ts';

/** One stream entry: a request's accepted events of one partition, for one workspace. */
export interface StreamEntry {
  /** The partition whose stream holds it (ids are per stream). */
  partition: number;
  id: string;
  workspaceId: string;
  /** How many events the entry holds. */
  count: number;
  /** JSON array of AcceptedEvent. */
  events: string;
  /** The W3C traceparent of the append, when tracing is on (packages/core tracing.ts). */
  traceparent?: string;
}

/** Limits on admitting events; 0 switches one off. */
export interface AdmissionLimits {
  /** Events per second per key. */
  eventsPerSecond: number;
  /** Most entries all partition streams together may hold before ingest answers 503. */
  maxBacklog: number;
  /** Oldest unprocessed entry age (ms) before ingest answers 503. */
  maxBacklogAgeMs: number;
  /**
   * Events per second per client address and public key (0 = no limit). A public key is in
   * every shopper's page: without this, one visitor could spend the store's whole budget.
   */
  eventsPerSecondPerClient: number;
}

export type AppendResult =
  | { ok: true; ids: string[] }
  | { ok: false; code: 'rate_limited' | 'client_rate_limited' | 'overloaded'; retryAfter: number };

/** Most requests in one script call. */
const MAX_GROUP = 256;

/** A request's rate check: its counters of the current second and their limits. */
interface Admission {
  keyCounter: string;
  /** Undefined when no client limit applies. */
  clientCounter: string | undefined;
  events: number;
  keyLimit: number;
  clientLimit: number;
}

type Verdict = 'ok' | 'rate_limited' | 'client_rate_limited';

/** The rate checks of a turn's requests, one script call per key slot (admit-requests.lua). */
const admit = perTurn<Admission, Verdict>(MAX_GROUP, (redis, requests) => {
  const counters: string[] = [];
  const index = new Map<string, number>();
  const at = (counter: string) => {
    let i = index.get(counter);
    if (i === undefined) index.set(counter, (i = counters.push(counter)));
    return i;
  };
  const args: (string | number)[] = [requests.length];
  for (const r of requests) {
    args.push(
      at(r.keyCounter),
      r.clientCounter === undefined ? 0 : at(r.clientCounter),
      r.events,
      r.keyLimit,
      r.clientLimit,
    );
  }
  return runRedisLua<Verdict[]>(redis, 'admit-requests', counters, args);
});

/** A request's part of one partition: its stream and append-events.lua's 6 arguments. */
interface Append {
  stream: string;
  args: (string | number)[];
}

type Appended = { ok: true; id: string } | { ok: false; retryAfter: number };

/**
 * The appends of a turn's requests: on one Redis one call for every partition (one call per
 * event-loop turn, as before partitions); on a cluster one per stream (a script's keys must
 * share a slot).
 */
const append = perTurn<Append, Appended>(MAX_GROUP, async (redis, appends) => {
  const streams: string[] = [];
  const index = new Map<string, number>();
  for (const a of appends) {
    if (!index.has(a.stream)) index.set(a.stream, streams.push(a.stream));
  }
  const args: (string | number)[] = [appends.length];
  for (const a of appends) args.push(index.get(a.stream) as number, ...a.args);
  const replies = await runRedisLua<[string, string | number][]>(redis, 'append-events', streams, args);
  return replies.map(([status, value]): Appended =>
    status === 'ok' ? { ok: true, id: String(value) } : { ok: false, retryAfter: Number(value) },
  );
});

/** A request's accepted events, split by the partition of their conversation. */
function byPartition<E extends { conversation_id: string }>(keys: Keys, events: readonly E[]): Map<number, E[]> {
  const out = new Map<number, E[]>();
  for (const e of events) {
    const n = keys.partitionOf(e.conversation_id);
    const list = out.get(n);
    if (list) list.push(e);
    else out.set(n, [e]);
  }
  return out;
}

/**
 * Admits a request (its key's rate, and its client's for public keys) and appends its
 * events, one entry per partition they belong to; resolves once Redis has every entry,
 * which is when ingest may answer 202. A request refused for backpressure in one partition
 * after others took their part is refused as a whole: the client's retry is safe (event
 * ids dedup). Requests that arrive within one turn of the event loop share one rate check
 * and one append per partition group (group commit).
 */
export async function appendEvents<E extends { conversation_id: string }>(
  redis: RedisClient,
  keys: Keys,
  request: {
    workspaceId: string;
    keyId: string;
    events: readonly E[];
    /** The caller's address, when its own limit applies (public keys). */
    client?: string | undefined;
    /** Carried in the entries when tracing is on. */
    traceparent?: string | undefined;
  },
  limits: AdmissionLimits,
): Promise<AppendResult> {
  const n = request.events.length;
  const perClient = request.client !== undefined && limits.eventsPerSecondPerClient > 0;
  if (limits.eventsPerSecond > 0 || perClient) {
    const second = Math.floor(Date.now() / 1000);
    const verdict = await admit(redis, 'nodes' in redis ? request.keyId : '', {
      keyCounter: keys.rate(request.keyId, second),
      clientCounter: perClient ? keys.clientRate(request.keyId, request.client as string, second) : undefined,
      events: n,
      keyLimit: limits.eventsPerSecond,
      clientLimit: perClient ? limits.eventsPerSecondPerClient : 0,
    });
    if (verdict !== 'ok') return { ok: false, code: verdict, retryAfter: 1 };
  }
  // A stream's share of the backlog caps: the partitions drain independently.
  const maxLen = limits.maxBacklog > 0 ? Math.max(1, Math.ceil(limits.maxBacklog / keys.partitions)) : 0;
  const parts = [...byPartition(keys, request.events)];
  const appended = await Promise.all(
    parts.map(([p, events]) => {
      const stream = keys.partition(p).stream;
      return append(redis, 'nodes' in redis ? stream : '', {
        stream,
        args: [
          request.workspaceId,
          events.length,
          JSON.stringify(events),
          maxLen,
          limits.maxBacklogAgeMs,
          request.traceparent ?? '',
        ],
      });
    }),
  );
  const refused = appended.find((a) => !a.ok);
  if (refused && !refused.ok) return { ok: false, code: 'overloaded', retryAfter: refused.retryAfter };
  return { ok: true, ids: appended.map((a) => (a.ok ? a.id : '')) };
}

/** Creates the consumer group of a partition's stream if it does not exist yet (from the stream's start). */
export async function ensureGroup(redis: RedisClient, keys: Keys, partition: PartitionKeys): Promise<void> {
  try {
    await redis.xgroup('CREATE', partition.stream, keys.group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('BUSYGROUP')) throw err;
  }
}

type RawEntry = [id: string, fields: string[]];

/** A raw stream entry as a StreamEntry (null when it lacks the expected fields). */
export function toStreamEntry(partition: number, [id, fields]: RawEntry): StreamEntry | null {
  let ws: string | undefined;
  let ev: string | undefined;
  let n = 1;
  let tp: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'ws') ws = fields[i + 1];
    else if (fields[i] === 'ev') ev = fields[i + 1];
    else if (fields[i] === 'n') n = Number(fields[i + 1]) || 1;
    else if (fields[i] === 'tp') tp = fields[i + 1];
  }
  if (ws === undefined || ev === undefined) return null;
  return { partition, id, workspaceId: ws, count: n, events: ev, ...(tp ? { traceparent: tp } : {}) };
}

/**
 * Reads a partition's entries for `consumer`: new ones (`from` = '>') waiting up to
 * `blockMs`, or its own pending ones (`from` = '0'). Entries without the expected fields
 * are skipped.
 */
export async function readGroup(
  redis: RedisClient,
  keys: Keys,
  partition: PartitionKeys,
  consumer: string,
  opts: { count: number; blockMs?: number; from: '>' | '0' },
): Promise<StreamEntry[]> {
  const args: (string | number)[] = ['GROUP', keys.group, consumer, 'COUNT', opts.count];
  if (opts.blockMs !== undefined) args.push('BLOCK', opts.blockMs);
  args.push('STREAMS', partition.stream, opts.from);
  const res = (await (redis.xreadgroup as (...a: unknown[]) => Promise<unknown>)(...args)) as
    [string, RawEntry[]][] | null;
  const raw = res?.[0]?.[1] ?? [];
  return raw.map((r) => toStreamEntry(partition.index, r)).filter((e): e is StreamEntry => e !== null);
}

/**
 * Takes over entries of a partition other consumers left pending longer than `minIdleMs`
 * (a worker that died, or lost the partition, between reading and queueing them).
 */
export async function claimStale(
  redis: RedisClient,
  keys: Keys,
  partition: PartitionKeys,
  consumer: string,
  minIdleMs: number,
  count: number,
): Promise<StreamEntry[]> {
  const res = (await redis.xautoclaim(partition.stream, keys.group, consumer, minIdleMs, '0-0', 'COUNT', count)) as [
    string,
    (RawEntry | null)[],
  ];
  return (res[1] ?? [])
    .filter((e): e is RawEntry => e !== null)
    .map((r) => toStreamEntry(partition.index, r))
    .filter((e): e is StreamEntry => e !== null);
}

/** Acknowledges entries once their job exists, per partition. */
export async function ack(redis: RedisClient, keys: Keys, entries: readonly StreamEntry[]): Promise<void> {
  const byPart = new Map<number, string[]>();
  for (const e of entries) {
    const ids = byPart.get(e.partition);
    if (ids) ids.push(e.id);
    else byPart.set(e.partition, [e.id]);
  }
  await Promise.all([...byPart].map(([p, ids]) => redis.xack(keys.partition(p).stream, keys.group, ...ids)));
}

/** Orders stream ids ('ms-seq'). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** Entries in every partition stream (not yet trimmed): the backlog. */
export async function streamLength(redis: RedisClient, keys: Keys): Promise<number> {
  const lengths = await Promise.all(
    Array.from({ length: keys.partitions }, (_, p) => redis.xlen(keys.partition(p).stream)),
  );
  return lengths.reduce((a, b) => a + b, 0);
}
