// The two tiers of the worker's state (ADR 0010): Redis holds the generations of the hot
// window (the current one and the previous one, each THUMBLINE_HOT_WINDOW_SECONDS long);
// a closed generation is copied to the cold tier (ClickHouse's state_archive) while it is
// still the previous one, and dropped from Redis once it leaves the read set. Each
// partition's owner does it (the pump's maintenance), and a batch that finds an older
// generation unarchived does it first (read-state.lua).
import type { RedisClient } from './client.ts';
import type { Keys, PartitionKeys } from './keys.ts';

/** A state as Redis holds it. */
export interface StoredState {
  kind: 'message' | 'conversation';
  field: string;
  value: string;
}

/** Stores states of one generation in the cold tier (idempotent). */
export type ArchiveStates = (generation: number, states: StoredState[]) => Promise<void>;

const KINDS = [
  ['msgs', 'message'],
  ['convs', 'conversation'],
] as const;

/** States copied per cold-tier insert. */
const CHUNK = 5000;

/**
 * Copies a generation's message and conversation states to the cold tier, records it as
 * archived, and drops it from Redis when it is older than the previous generation of
 * `currentGeneration` (no batch reads it there any more). Safe to repeat and to interrupt.
 */
export async function archiveGeneration(
  redis: RedisClient,
  partition: PartitionKeys,
  generation: number,
  currentGeneration: number,
  store: ArchiveStates,
): Promise<void> {
  const archived = Number((await redis.get(partition.archived)) ?? -1);
  if (generation > archived) {
    for (const [kind, as] of KINDS) {
      const key = partition.state(kind, generation);
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(key, cursor, 'COUNT', CHUNK);
        cursor = next;
        const states: StoredState[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          states.push({ kind: as, field: flat[i] as string, value: flat[i + 1] as string });
        }
        await store(generation, states);
      } while (cursor !== '0');
    }
    // Generations are archived in order by one owner, so the greatest is the watermark.
    await redis.set(partition.archived, String(generation));
  }
  if (generation <= currentGeneration - 2) {
    await redis.del(partition.state('msgs', generation), partition.state('convs', generation));
    await redis.zrem(partition.generations, String(generation));
  }
}

/**
 * One round of a partition's archiving: every closed generation still in Redis is
 * archived (and dropped once it left the read set), oldest first.
 */
export async function archiveClosed(
  redis: RedisClient,
  partition: PartitionKeys,
  generationSeconds: number,
  store: ArchiveStates,
): Promise<void> {
  // Redis's clock decides generations, as in the state scripts.
  const now = Number((await redis.time())[0]);
  const current = Math.floor(now / generationSeconds);
  const closed = await redis.zrangebyscore(partition.generations, '-inf', current - 1);
  for (const g of closed) await archiveGeneration(redis, partition, Number(g), current, store);
}

/**
 * Starts the two tiers on an install, once (ADR 0010): records when (the first call's
 * time; later calls read it), and registers the state generations an earlier build left in
 * Redis (numbered by `legacySeconds`), so they are archived before anything reads past
 * them. Returns the start time (epoch ms).
 */
export async function startTiers(redis: RedisClient, keys: Keys, legacySeconds?: number): Promise<number> {
  const now = Number((await redis.time())[0]);
  await redis.set(keys.tiersSince, String(now * 1000), 'NX');
  if (legacySeconds !== undefined) {
    const legacy = Math.floor(now / legacySeconds);
    for (let p = 0; p < keys.partitions; p++) {
      const partition = keys.partition(p);
      for (const g of [legacy - 1, legacy]) {
        const exists = await redis.exists(partition.state('msgs', g), partition.state('convs', g));
        if (exists > 0) await redis.zadd(partition.generations, 'NX', g, String(g));
      }
    }
  }
  return Number(await redis.get(keys.tiersSince));
}
