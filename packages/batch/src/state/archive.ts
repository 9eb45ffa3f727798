// The cold tier of the batch state (ADR 0010): what left Redis is found in ClickHouse.
// Closed generations' message and conversation states (with their counted events' ids) are
// copied to `state_archive` while they are the previous generation, and dropped from Redis
// once they are older. A batch reads its partitions together, so their lookups arrive
// together: those made in one turn of the event loop share one query per kind.
import { archivedStates, archiveStates, type ArchivedState, type ClickHouse } from '@thumbline/clickhouse';
import type { PartitionKeys, RedisClient } from '@thumbline/redis';
import { addArchived } from './archive-filter.ts';
import { bucketKeys, rollGeneration, stateBuckets, type StateOptions } from './hot.ts';

export interface Archive {
  /** Archived states by field. */
  states(kind: 'message' | 'conversation', fields: string[]): Promise<Map<string, string>>;
  /**
   * Closes a partition's generation if it is past its time, archives the closed ones (all, or
   * those up to `upTo`: a batch that found `upTo` unarchived and older than the previous one)
   * and drops those no batch reads.
   */
  archivePartition(keys: PartitionKeys, upTo?: number): Promise<void>;
}

/** Calls of one turn gathered into one: `run` gets every caller's input, each caller the shared answer. */
function coalesced<In, Out>(run: (all: In[]) => Promise<Out>): (input: In[]) => Promise<Out> {
  let pending: { input: In[]; answer: Promise<Out> } | null = null;
  return (input) => {
    if (input.length === 0) return run([]);
    if (!pending) {
      const gathered: In[] = [];
      const answer = new Promise<void>((r) => setImmediate(r)).then(() => {
        pending = null; // later calls start the next query
        return run(gathered);
      });
      pending = { input: gathered, answer };
    }
    pending.input.push(...input);
    return pending.answer;
  };
}

const KINDS = [
  ['msgs', 'message'],
  ['convs', 'conversation'],
] as const;

/** Buckets read (pipelined) per archive insert: about 5,000 states at the default budget. */
const BUCKETS_PER_READ = 128;

/**
 * Copies a closed generation's message and conversation states to the archive, records it
 * as archived, and drops it from Redis once it is older than the
 * previous generation of `current` (no batch reads it there any more). Safe to repeat and
 * to interrupt; generations are archived in order, so the greatest is the watermark.
 */
async function archiveOne(
  redis: RedisClient,
  ch: ClickHouse,
  keys: PartitionKeys,
  generation: number,
  current: number,
  options: StateOptions,
): Promise<void> {
  const buckets = await stateBuckets(redis, keys, options.generationBytes);
  const archived = Number((await redis.get(keys.archived)) ?? -1);
  if (generation > archived) {
    const fields: string[] = [];
    for (const [kind, as] of KINDS) {
      const bucketsOf = bucketKeys(keys.state(kind, generation), buckets);
      for (let i = 0; i < bucketsOf.length; i += BUCKETS_PER_READ) {
        const read = await Promise.all(bucketsOf.slice(i, i + BUCKETS_PER_READ).map((key) => redis.hgetall(key)));
        const states: ArchivedState[] = [];
        for (const bucket of read) {
          for (const field in bucket) states.push({ kind: as, field, value: bucket[field] as string });
        }
        await archiveStates(ch, generation, states);
        for (const s of states) fields.push(s.field);
      }
    }
    // Before the watermark moves: a field Redis no longer holds is always in the filter.
    await addArchived(redis, keys, options.archiveFilterBytes ?? 1024 ** 2, fields);
    await redis.set(keys.archived, String(generation));
  }
  if (generation <= current - 2) {
    // UNLINK: Redis frees them off its main thread.
    await redis.unlink(
      ...bucketKeys(keys.state('msgs', generation), buckets),
      ...bucketKeys(keys.state('convs', generation), buckets),
    );
    await redis.zrem(keys.generations, String(generation));
  }
}

/** The archive in ClickHouse's `state_archive`. */
export function clickHouseArchive(redis: RedisClient, ch: ClickHouse, options: StateOptions): Archive {
  // Answers hold every caller's keys; each caller reads only its own.
  const messages = coalesced((fields: string[]) => archivedStates(ch, 'message', fields));
  const conversations = coalesced((fields: string[]) => archivedStates(ch, 'conversation', fields));
  /** One archiving at a time per partition: the pump's rounds and batches may ask together. */
  const running = new Map<PartitionKeys, Promise<void>>();
  const exclusive = (keys: PartitionKeys, work: () => Promise<void>): Promise<void> => {
    const before = running.get(keys) ?? Promise.resolve();
    const mine = before.then(work);
    const settled = mine.catch(() => undefined);
    running.set(keys, settled);
    void settled.then(() => {
      if (running.get(keys) === settled) running.delete(keys);
    });
    return mine;
  };
  const closedGenerations = async (keys: PartitionKeys, current: number) =>
    (await redis.zrangebyscore(keys.generations, '-inf', current - 1)).map(Number);
  return {
    states: (kind, fields) => (kind === 'message' ? messages(fields) : conversations(fields)),
    archivePartition: (keys, upTo = Infinity) =>
      exclusive(keys, async () => {
        const current = await rollGeneration(redis, keys, options);
        // Oldest first: the watermark only moves forward.
        for (const g of await closedGenerations(keys, current)) {
          if (g <= upTo) await archiveOne(redis, ch, keys, g, current, options);
        }
      }),
  };
}

/**
 * Archives the partitions a worker holds, in the background, every `everyMs`: a generation
 * past its time closes even when no commit comes, closed ones go to the archive, and older
 * ones leave Redis. A round that fails is logged and tried again next time; a slow one never
 * holds batches back (they archive what they must themselves, read-state.lua).
 */
export class ArchiveSchedule {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | null = null;

  constructor(
    private readonly archive: Archive,
    private readonly partitions: () => readonly PartitionKeys[],
    private readonly onError: (err: unknown) => void,
    private readonly everyMs = 5_000,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.run(), this.everyMs);
    this.timer.unref();
  }

  /** One round now, unless one is running. */
  run(): void {
    if (this.round) return;
    this.round = (async () => {
      for (const keys of this.partitions()) await this.archive.archivePartition(keys);
    })()
      .catch(this.onError)
      .finally(() => {
        this.round = null;
      });
  }

  /** Stops, after the round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }
}
