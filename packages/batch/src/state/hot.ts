// The hot tier of the batch state (ADR 0010): per partition, numbered generations of two
// hashes (message states; conversation states with their counted events' ids) in Redis. A generation closes
// when it holds its byte budget or has lasted its time, whichever comes first; the current
// and the previous one are read, older ones are archived to ClickHouse and dropped
// (state/archive.ts). Every key of a call is in the partition's hash slot.
import { luaScripts, runLua, script, type PartitionKeys, type RedisClient } from '@thumbline/redis';

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
}

/** What the read script answered, the keys having been built for the right generation. */
export interface HotRead {
  generation: number;
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

/**
 * Reads what `fields` name in the partition's current and previous generation, in one round
 * trip; or the batch's cached resolution when it was committed already. When a generation
 * older than the previous one is still unarchived, `archive` is called first.
 */
export async function readHot(
  redis: RedisClient,
  keys: PartitionKeys,
  batchId: string,
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
      [generation, fields.messages.join('\n'), fields.conversations.join('\n')],
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
      version: version ?? '',
      messages,
      extra: lines(extra),
      conversations,
      archived: archived !== null,
    };
  }
  throw new Error('the state generation kept moving while it was read');
}

/** A partition's writes of one resolution, as lines (state/encoding.ts fields and values). */
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
  read: Pick<HotRead, 'generation' | 'version'>,
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
