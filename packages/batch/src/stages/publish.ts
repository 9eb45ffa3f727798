// Stage 6, publish: only now, with the rows stored, may dashboards hear of them. One delta
// per workspace, each once per batch however often it is retried (publish-delta.lua keeps
// the seq it got).
import type { BatchResolution } from '@thumbline/events';
import { publishDelta, type Keys, type LiveBudget, type RedisClient } from '@thumbline/redis';
import type { BatchRecord } from '../batch-record.ts';
import { workspaceDeltas, type WorkspaceDelta } from '../deltas.ts';

export async function publishDeltas(
  deps: { redis: RedisClient; keys: Keys; live?: LiveBudget | undefined },
  record: BatchRecord,
  resolution: BatchResolution,
): Promise<WorkspaceDelta[]> {
  const deltas = workspaceDeltas(resolution);
  for (const { workspaceId, delta } of deltas) {
    await publishDelta(
      deps.redis,
      deps.keys,
      record.batchId,
      workspaceId,
      JSON.stringify(delta),
      record.ttlSeconds,
      deps.live,
    );
  }
  return deltas;
}
