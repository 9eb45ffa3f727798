import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

/** One stream entry: a request's accepted events for one workspace. */
export interface StreamEntry {
  id: string;
  workspaceId: string;
  /** How many events the entry holds. */
  count: number;
  /** JSON array of AcceptedEvent. */
  events: string;
}

const APPEND = readFileSync(new URL('./lua/append-events.lua', import.meta.url), 'utf8');

/** Registers the append script (see client.ts: scripts are defined per connection). */
export function defineAppendScript(redis: Redis): void {
  // The number of keys varies with the group: it is passed as the first argument.
  redis.defineCommand('tlAppendEvents', { lua: APPEND });
}

/** Limits on admitting events; 0 switches one off. */
export interface AdmissionLimits {
  /** Events per second per key. */
  eventsPerSecond: number;
  /** Most entries the stream may hold before ingest answers 503. */
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
  | { ok: true; id: string }
  | { ok: false; code: 'rate_limited' | 'client_rate_limited' | 'overloaded'; retryAfter: number };

interface Waiting {
  rateKey: string;
  clientRateKey: string;
  args: (string | number)[];
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

/** Requests waiting for their group's append, per connection and stream. */
const groups = new WeakMap<Redis, Map<string, Waiting[]>>();

/** Most requests in one append. */
const MAX_GROUP = 256;

type WithAppend = Redis & {
  tlAppendEvents(numberOfKeys: number, args: (string | number)[]): Promise<[string, string | number][]>;
};

/**
 * Admits and appends a request's accepted events as one entry; resolves once Redis has
 * them, which is when ingest may answer 202. Requests that arrive within one turn of the
 * event loop share one script call (group commit): per request, ioredis costs ~13 µs of
 * the ingest process's CPU for a script call, and Redis a script run.
 */
export function appendEvents(
  redis: Redis,
  keys: Keys,
  entry: {
    workspaceId: string;
    keyId: string;
    count: number;
    json: string;
    /** The caller's address, when its own limit applies (public keys). */
    client?: string | undefined;
  },
  limits: AdmissionLimits,
): Promise<AppendResult> {
  return new Promise((resolve, reject) => {
    let byStream = groups.get(redis);
    if (!byStream) groups.set(redis, (byStream = new Map()));
    let group = byStream.get(keys.stream);
    if (!group) {
      byStream.set(keys.stream, (group = []));
      const started = group;
      setImmediate(() => {
        if (byStream.get(keys.stream) === started) byStream.delete(keys.stream);
        void send(redis, keys.stream, started);
      });
    }
    const second = Math.floor(Date.now() / 1000);
    const perClient = entry.client !== undefined && limits.eventsPerSecondPerClient > 0;
    group.push({
      rateKey: keys.rate(entry.keyId, second),
      // Without a client limit the slot is filled with the key's counter and a limit of 0 (skipped).
      clientRateKey: perClient ? keys.clientRate(entry.keyId, entry.client as string, second) : keys.rate(entry.keyId, second),
      args: [
        entry.workspaceId,
        entry.count,
        entry.json,
        limits.eventsPerSecond,
        limits.maxBacklog,
        limits.maxBacklogAgeMs,
        perClient ? limits.eventsPerSecondPerClient : 0,
      ],
      resolve,
      reject,
    });
    // A full group goes now; later requests start the next one.
    if (group.length >= MAX_GROUP) byStream.delete(keys.stream);
  });
}

async function send(redis: Redis, stream: string, group: Waiting[]): Promise<void> {
  if (group.length === 0) return;
  try {
    const args: (string | number)[] = [stream];
    for (const w of group) args.push(w.rateKey, w.clientRateKey);
    args.push(group.length);
    for (const w of group) args.push(...w.args);
    const replies = await (redis as WithAppend).tlAppendEvents(1 + 2 * group.length, args);
    group.forEach((w, i) => {
      const [status, value] = replies[i] ?? ['overloaded', 1];
      w.resolve(
        status === 'ok'
          ? { ok: true, id: String(value) }
          : {
              ok: false,
              code: status === 'rate_limited' || status === 'client_rate_limited' ? status : 'overloaded',
              retryAfter: Number(value),
            },
      );
    });
  } catch (err) {
    for (const w of group) w.reject(err);
  }
}

/** Creates the consumer group if it does not exist yet (from the stream's start). */
export async function ensureGroup(redis: Redis, keys: Keys): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.stream, keys.group, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('BUSYGROUP')) throw err;
  }
}

type RawEntry = [id: string, fields: string[]];

function toEntry([id, fields]: RawEntry): StreamEntry | null {
  let ws: string | undefined;
  let ev: string | undefined;
  let n = 1;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'ws') ws = fields[i + 1];
    else if (fields[i] === 'ev') ev = fields[i + 1];
    else if (fields[i] === 'n') n = Number(fields[i + 1]) || 1;
  }
  return ws === undefined || ev === undefined ? null : { id, workspaceId: ws, count: n, events: ev };
}

/**
 * Reads entries for `consumer`: new ones (`from` = '>') waiting up to `blockMs`, or its
 * own pending ones (`from` = '0'). Entries without the expected fields are skipped.
 */
export async function readGroup(
  redis: Redis,
  keys: Keys,
  consumer: string,
  opts: { count: number; blockMs?: number; from: '>' | '0' },
): Promise<StreamEntry[]> {
  const args: (string | number)[] = ['GROUP', keys.group, consumer, 'COUNT', opts.count];
  if (opts.blockMs !== undefined) args.push('BLOCK', opts.blockMs);
  args.push('STREAMS', keys.stream, opts.from);
  const res = (await (redis.xreadgroup as (...a: unknown[]) => Promise<unknown>)(...args)) as
    [string, RawEntry[]][] | null;
  const raw = res?.[0]?.[1] ?? [];
  return raw.map(toEntry).filter((e): e is StreamEntry => e !== null);
}

/**
 * Takes over entries other consumers left pending longer than `minIdleMs` (a worker
 * that died between reading and handing them to the queue).
 */
export async function claimStale(
  redis: Redis,
  keys: Keys,
  consumer: string,
  minIdleMs: number,
  count: number,
): Promise<StreamEntry[]> {
  const res = (await redis.xautoclaim(keys.stream, keys.group, consumer, minIdleMs, '0-0', 'COUNT', count)) as [
    string,
    (RawEntry | null)[],
  ];
  return (res[1] ?? [])
    .filter((e): e is RawEntry => e !== null)
    .map(toEntry)
    .filter((e): e is StreamEntry => e !== null);
}

/** Acknowledges entries once their job exists. */
export async function ack(redis: Redis, keys: Keys, ids: string[]): Promise<void> {
  if (ids.length > 0) await redis.xack(keys.stream, keys.group, ...ids);
}

/**
 * Trims entries every group has acknowledged: below the oldest pending entry, or up to
 * the last delivered one when nothing is pending. Never drops an unacknowledged entry.
 */
export async function trimAcknowledged(redis: Redis, keys: Keys): Promise<void> {
  const groups = (await redis.xinfo('GROUPS', keys.stream)) as unknown[][];
  let minId: string | null = null;
  for (const g of groups) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
    const name = String(info.get('name'));
    const summary = (await redis.xpending(keys.stream, name)) as [number, string | null, string | null, unknown];
    const floor = summary[0] > 0 && summary[1] ? summary[1] : String(info.get('last-delivered-id'));
    if (minId === null || compareIds(floor, minId) < 0) minId = floor;
  }
  if (minId && minId !== '0-0') await redis.xtrim(keys.stream, 'MINID', minId);
}

/** Orders stream ids ('ms-seq'). */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

/** Entries not yet handed to the queue plus unread ones: the backlog of the stream. */
export async function streamLength(redis: Redis, keys: Keys): Promise<number> {
  return redis.xlen(keys.stream);
}
