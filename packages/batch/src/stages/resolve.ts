// Stage 2, resolve: per partition, read a snapshot (hot tier, then the archive) and resolve
// dedup and latest-wins over it (`resolve()` in packages/events). A partition that committed
// this batch before answers its cached resolution instead.
import { resolve, type BatchItem, type BatchResolution, type WorkspaceWrites } from '@thumbline/events';
import type { Keys, PartitionKeys, RedisClient } from '@thumbline/redis';
import { decodeResolution } from '../batch-record.ts';
import type { Archive } from '../state/archive.ts';
import { stateBuckets, type StateOptions } from '../state/hot.ts';
import { readSnapshot, type PartitionSnapshot } from '../state/snapshot.ts';

/** One partition's part of a batch: its items (with their indexes in the batch) and where it stands. */
export interface Part {
  keys: PartitionKeys;
  /** Index in the batch of each of this part's items. */
  at: number[];
  items: BatchItem[];
  /** Committed (now or by an earlier delivery): the resolution, in this part's indexes. */
  done?: BatchResolution;
  read?: PartitionSnapshot;
  resolution?: BatchResolution;
  writes?: Map<string, WorkspaceWrites>;
}

export function partsOf(keys: Keys, items: readonly BatchItem[]): Part[] {
  const byPartition = new Map<number, Part>();
  items.forEach((item, i) => {
    const n = keys.partitionOf(item.e.conversation_id);
    let part = byPartition.get(n);
    if (!part) byPartition.set(n, (part = { keys: keys.partition(n), at: [], items: [] }));
    part.at.push(i);
    part.items.push(item);
  });
  return [...byPartition.values()];
}

/** The parts' resolutions as one, in the batch's indexes. */
export function merged(parts: readonly Part[]): BatchResolution {
  const out: BatchResolution = { fresh: [], changes: [], conversations: [] };
  for (const part of parts) {
    const r = part.done ?? part.resolution;
    if (!r) continue;
    for (const i of r.fresh) out.fresh.push(part.at[i] as number);
    out.changes.push(...r.changes);
    out.conversations.push(...r.conversations);
  }
  out.fresh.sort((a, b) => a - b);
  return out;
}

/** Resolves a part from its snapshot, leaving out `excluded` items (batch indexes). */
export function resolvePart(part: Part, excluded: ReadonlySet<number>): void {
  const local = new Set<number>();
  part.at.forEach((global, i) => {
    if (excluded.has(global)) local.add(i);
  });
  const { resolution, writes } = resolve(part.items, (part.read as PartitionSnapshot).snapshot, local);
  part.resolution = resolution;
  part.writes = writes;
}

/**
 * Reads the snapshot of every part not yet done and resolves it (or takes its cached
 * resolution). Partitions are independent: their reads go out together, each sent without
 * waiting for the others' replies.
 */
export async function resolveParts(
  deps: { redis: RedisClient; archive: Archive; state: StateOptions },
  batchId: string,
  parts: readonly Part[],
  excluded: ReadonlySet<number>,
): Promise<void> {
  const pending = parts.filter((p) => !p.done);
  const reads = await Promise.all(
    pending.map(async (part) =>
      readSnapshot(
        deps.redis,
        part.keys,
        batchId,
        part.items,
        deps.archive,
        await stateBuckets(deps.redis, part.keys, deps.state.generationBytes),
      ),
    ),
  );
  pending.forEach((part, i) => {
    const read = reads[i] as Awaited<ReturnType<typeof readSnapshot>>;
    if ('cached' in read) part.done = decodeResolution(read.cached, part.items);
    else {
      part.read = read;
      resolvePart(part, excluded);
    }
  });
}
