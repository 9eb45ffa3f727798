// The worker's cold tier (ADR 0010): what left Redis's hot window is found in ClickHouse.
import { archivedStates, archiveStates, storedElsewhere, type ClickHouse } from '@thumbline/clickhouse';
import { archiveClosed, type ColdTier, type PartitionKeys, type RedisClient } from '@thumbline/redis';

export function clickHouseColdTier(redis: RedisClient, ch: ClickHouse, generationSeconds: number): ColdTier {
  const store = (generation: number, states: Parameters<typeof archiveStates>[2]) =>
    archiveStates(ch, generation, states);
  return {
    seenElsewhere: async (events) => storedElsewhere(ch, events),
    states: (kind, fields) => archivedStates(ch, kind, fields),
    archive: (partition: PartitionKeys) => archiveClosed(redis, partition, generationSeconds, store),
  };
}
