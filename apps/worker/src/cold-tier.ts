// The worker's cold tier (ADR 0010): what left Redis's hot window is found in ClickHouse.
import { archivedStates, archiveStates, storedElsewhere, type ClickHouse } from '@thumbline/clickhouse';
import {
  archiveClosed,
  startTiers,
  type ApplyBatchOptions,
  type ColdTier,
  type Keys,
  type PartitionKeys,
  type RedisClient,
} from '@thumbline/redis';

export function clickHouseColdTier(redis: RedisClient, keys: Keys, ch: ClickHouse, state: ApplyBatchOptions): ColdTier {
  const store = (generation: number, states: Parameters<typeof archiveStates>[2]) =>
    archiveStates(ch, generation, states);
  // Started once per process, before anything is read or archived; a failure is tried again.
  let started: Promise<number> | null = null;
  const since = () => {
    started ??= startTiers(redis, keys, state.legacyStateTtlSeconds).catch((err: unknown) => {
      started = null;
      throw err;
    });
    return started;
  };
  return {
    since,
    seenElsewhere: async (events) => storedElsewhere(ch, events),
    states: (kind, fields) => archivedStates(ch, kind, fields),
    archive: async (partition: PartitionKeys) => {
      await since();
      await archiveClosed(redis, partition, state.stateTtlSeconds, store);
    },
  };
}
