// The hot tier of the batch state (ADR 0010): per partition, numbered generations of
// message states and conversation states (with their counted events' ids) in Redis, each
// spread over the partition's buckets, small hashes that Redis keeps as listpacks. A generation closes
// when it holds its byte budget or has lasted its time, whichever comes first; the current
// and the previous one are read, older ones are archived to ClickHouse and dropped
// (state/archive.ts). Every key of a call is in the partition's hash slot.
import { luaScripts, runLua, script, type PartitionKeys, type RedisClient } from '@thumbline/redis';
import { bucketOf } from './encoding.ts';

const SCRIPTS = luaScripts(new URL('./lua/', import.meta.url));
const READ = script(SCRIPTS, 'read-state');
const COMMIT = script(SCRIPTS, 'commit-state');
const ROLL = script(SCRIPTS, 'roll-generation');

/** How much state Redis holds, and for how long a batch's record is kept. */
export interface StateOptions {
  /** Longest a generation lasts (the hot window is one to two of them). */
  generationSeconds: number;
  /** Most bytes (estimated) one partition's generation holds before it closes. */
  generationBytes: number;
  /** How long a batch's record (cached resolution, ledger, publish markers) outlives its last attempt. */
  recordTtlSeconds: number;
  /** Size of a partition's filter of archived fields when it is created (state/archive-filter.ts); default 1 MiB. */
  archiveFilterBytes?: number;
}

/** What the read script answered, the keys having been built for the right generation. */
export interface HotRead {
  generation: number;
  /** The partition's bucket count (stateBuckets). */
  buckets: number;
  version: string;
  /** Per message field: its stored state, if the hot tier has it. */
  messages: (string | null)[];
  /** Conversation fields of those messages' conversations that were not asked for. */
  extra: string[];
  /** Per conversation field (asked, then extra): its stored state, if the hot tier has it. */
  conversations: (string | null)[];
  /** The partition has archived state (some left Redis): lookups in the archive can find something. */
  archived: boolean;
}

type ReadReply =
  | [cached: string]
  | [null, 'archive', generation: string]
  | [null, null, generation: number]
  | [null, 1, string | null, (string | null)[], string, (string | null)[], string | null];

/** The generation each partition was last seen in, so keys are built right the first time. */
const lastGeneration = new WeakMap<PartitionKeys, number>();

const lines = (text: string) => (text === '' ? [] : text.split('\n'));

/** The key of one bucket of a generation's states (`keys.state(kind, generation)` is the prefix). */
export const bucketKey = (prefix: string, bucket: number) => `${prefix}:${bucket}`;

/** Every bucket key of a generation's states of one kind. */
export const bucketKeys = (prefix: string, buckets: number) =>
  Array.from({ length: buckets }, (_, b) => bucketKey(prefix, b));

/** Bytes a bucket holds when its generation is full: a few dozen states, well inside a listpack. */
const BUCKET_BYTES = 8192;

/**
 * How many buckets the partition's state is spread over: fixed when the partition first
 * stores state (a power of two near generationBytes / 8 KiB, 16 to 4096), and read back
 * afterwards, so a field's bucket never moves whatever the budget becomes.
 */
const bucketCounts = new WeakMap<PartitionKeys, number>();
export async function stateBuckets(redis: RedisClient, keys: PartitionKeys, generationBytes: number): Promise<number> {
  const known = bucketCounts.get(keys);
  if (known !== undefined) return known;
  const wanted = 2 ** Math.round(Math.log2(Math.max(1, generationBytes / BUCKET_BYTES)));
  await redis.set(keys.buckets, String(Math.min(4096, Math.max(16, wanted))), 'NX');
  const buckets = Number(await redis.get(keys.buckets));
  bucketCounts.set(keys, buckets);
  return buckets;
}

/** Fields as the scripts take them: lines "<bucket>\t<field>". */
const withBuckets = (fields: readonly string[], buckets: number) =>
  fields.map((f) => `${bucketOf(f, buckets)}\t${f}`).join('\n');

/**
 * Conversation states in generation `generation`, else `generation - 1` (one pipelined
 * HMGET per bucket and generation), by field.
 */
export async function readConversations(
  redis: RedisClient,
  keys: PartitionKeys,
  buckets: number,
  generation: number,
  fields: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let missing = [...fields];
  for (const g of [generation, generation - 1]) {
    const byBucket = new Map<number, string[]>();
    for (const f of missing) {
      const b = bucketOf(f, buckets);
      const list = byBucket.get(b);
      if (list) list.push(f);
      else byBucket.set(b, [f]);
    }
    const groups = [...byBucket];
    const values = await Promise.all(groups.map(([b, fs]) => redis.hmget(bucketKey(keys.state('convs', g), b), ...fs)));
    missing = [];
    groups.forEach(([, fs], i) =>
      fs.forEach((f, j) => {
        const v = values[i]?.[j];
        if (v) found.set(f, v);
        else missing.push(f);
      }),
    );
  }
  return found;
}

/**
 * Reads what `fields` name in the partition's current and previous generation, in one round
 * trip; or the batch's cached resolution when it was committed already. When a generation
 * older than the previous one is still unarchived, `archive` is called first.
 */
export async function readHot(
  redis: RedisClient,
  keys: PartitionKeys,
  batchId: string,
  buckets: number,
  fields: { messages: readonly string[]; conversations: readonly string[] },
  archive: (generation: number) => Promise<void>,
): Promise<HotRead | { cached: string }> {
  let generation = lastGeneration.get(keys) ?? 0;
  for (let attempt = 0; attempt < 10; attempt++) {
    const reply = await runLua<ReadReply>(
      redis,
      READ,
      [
        keys.batch(batchId),
        keys.version,
        keys.generation,
        keys.state('msgs', generation),
        keys.state('msgs', generation - 1),
        keys.state('convs', generation),
        keys.state('convs', generation - 1),
        keys.generations,
        keys.archived,
      ],
      [generation, withBuckets(fields.messages, buckets), withBuckets(fields.conversations, buckets)],
    );
    if (reply[0] !== null) return { cached: reply[0] };
    if (reply[1] === 'archive') {
      await archive(Number(reply[2]));
      continue;
    }
    if (reply[1] === null) {
      generation = Number(reply[2]);
      lastGeneration.set(keys, generation);
      continue;
    }
    const [, , version, messages, extra, conversations, archived] = reply;
    return {
      generation,
      buckets,
      version: version ?? '',
      messages,
      extra: lines(extra),
      conversations,
      archived: archived !== null,
    };
  }
  throw new Error('the state generation kept moving while it was read');
}

/** A partition's writes of one resolution, as lines "<bucket>\t<field>\t<value>" (state/encoding.ts). */
export interface HotWrites {
  messages: string;
  conversations: string;
}

/**
 * Commits writes in one partition and caches the (encoded) resolution under the batch, if
 * the generation and version read are still current (commit-state.lua): 'ok', 'conflict'
 * (read and resolve again), or 'committed' (another delivery did it first).
 */
export async function commitHot(
  redis: RedisClient,
  keys: PartitionKeys,
  batchId: string,
  read: Pick<HotRead, 'generation' | 'version' | 'buckets'>,
  writes: HotWrites,
  cachedResolution: string,
  options: StateOptions,
): Promise<'ok' | 'conflict' | 'committed'> {
  return runLua<'ok' | 'conflict' | 'committed'>(
    redis,
    COMMIT,
    [
      keys.batch(batchId),
      keys.version,
      keys.generation,
      keys.state('msgs', read.generation),
      keys.state('convs', read.generation),
      keys.generations,
    ],
    [
      read.generation,
      read.version,
      cachedResolution,
      options.recordTtlSeconds,
      options.generationSeconds,
      options.generationBytes,
      writes.messages,
      writes.conversations,
      read.buckets,
    ],
  );
}

/** Closes the partition's generation if it outlived its time with no commit to do it; answers the current one. */
export async function rollGeneration(redis: RedisClient, keys: PartitionKeys, options: StateOptions): Promise<number> {
  const generation = Number(
    await runLua<number>(redis, ROLL, [keys.generation, keys.version], [options.generationSeconds]),
  );
  lastGeneration.set(keys, generation);
  return generation;
}
