// Stage 7, release: the batch is done. What was kept for its retries goes (kept, the cached
// resolution alone would hold ~200 bytes per event in Redis), and its stream entries may be
// trimmed (once nothing older is pending or pinned).
import { unpinEntries, type Keys, type RedisClient, type StreamEntry } from '@thumbline/redis';
import type { BatchRecord } from '../batch-record.ts';
import type { WorkspaceDelta } from '../deltas.ts';

export async function release(
  deps: { redis: RedisClient; keys: Keys },
  record: BatchRecord,
  entries: readonly StreamEntry[],
  deltas: readonly WorkspaceDelta[],
): Promise<void> {
  const partitions = new Set(entries.map((e) => e.partition));
  await record.forget(
    partitions,
    deltas.map((d) => d.workspaceId),
  );
  await unpinEntries(deps.redis, deps.keys, record.batchId, partitions);
}
