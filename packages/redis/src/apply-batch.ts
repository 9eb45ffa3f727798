// Resolving one batch's state: per partition, read a snapshot, resolve, commit if unchanged
// (ADR 0007, ADR 0009).
import type { RedisClient } from './client.ts';
import type { Keys, PartitionKeys } from './keys.ts';
import { resolve, type BatchItem, type BatchResolution, type Snapshot, type WorkspaceWrites } from '@thumbline/events';
import { commitState, readSnapshot, type ApplyBatchOptions, type ColdTier } from './batch-state.store.ts';
import { decodeResolution, encodeResolution } from './resolution-cache.ts';

/** Resolutions of one process take turns: they would only conflict with each other. */
const turns = new WeakMap<RedisClient, Promise<unknown>>();

/** Commits tried before giving up (the job is retried later). */
const MAX_CONFLICTS = 100;

/**
 * Called with each resolution before it is committed; stores what must exist before the
 * state says the batch's events were seen (their raw rows), and answers the indexes of
 * items storage refused for their data (nothing of the batch stored). Those items are
 * left out and the batch is resolved again from the same snapshot, so a refused event
 * never enters the state (ADR 0008).
 */
export type BeforeCommit = (resolution: BatchResolution) => Promise<readonly number[]>;

/**
 * Resolves dedup and latest-wins state for a batch and commits it atomically per
 * partition (ADR 0007, ADR 0009): each partition's state is read with plain commands,
 * resolved here, and written by one script only if nothing it was read from changed
 * meanwhile (else read and resolve again). The answer is cached per partition under the
 * batch id in the same step: calling it again for the same batch returns the same
 * resolution. Indexes in the answer are into `items`.
 */
export function applyBatch(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
  beforeCommit: BeforeCommit = async () => [],
  /** Where state that left Redis is found (ADR 0010); without one it expires. */
  cold?: ColdTier,
): Promise<BatchResolution> {
  // The stored turn never rejects: a failed resolution only fails its own caller.
  const mine = (turns.get(redis) ?? Promise.resolve()).then(() =>
    resolveAndCommit(redis, keys, batchId, items, options, beforeCommit, cold),
  );
  turns.set(
    redis,
    mine.catch(() => undefined),
  );
  return mine;
}

/** One partition's part of a batch: its items (with their indexes in the batch) and where it stands. */
interface Part {
  keys: PartitionKeys;
  /** Index in the batch of each of this part's items. */
  at: number[];
  items: BatchItem[];
  /** Committed (now or by an earlier delivery): the resolution, in this part's indexes. */
  done?: BatchResolution;
  snapshot?: Snapshot;
  resolution?: BatchResolution;
  writes?: Map<string, WorkspaceWrites>;
}

function partsOf(keys: Keys, items: readonly BatchItem[]): Part[] {
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
function merged(parts: readonly Part[]): BatchResolution {
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

async function resolveAndCommit(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
  beforeCommit: BeforeCommit,
  cold: ColdTier | undefined,
): Promise<BatchResolution> {
  const parts = partsOf(keys, items);
  /** Items left out (refused by storage), in the batch's indexes. */
  const excluded = new Set<number>();
  const resolvePart = (part: Part) => {
    const local = new Set<number>();
    part.at.forEach((global, i) => {
      if (excluded.has(global)) local.add(i);
    });
    const { resolution, writes } = resolve(part.items, part.snapshot as Snapshot, local);
    part.resolution = resolution;
    part.writes = writes;
  };
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const pending = parts.filter((p) => !p.done);
    if (pending.length === 0) return merged(parts);
    // Partitions are independent: their reads go out together (one round trip on one
    // Redis with auto-pipelining, one per node on a cluster).
    const snapshots = await Promise.all(
      pending.map((part) => readSnapshot(redis, part.keys, batchId, part.items, options, cold)),
    );
    pending.forEach((part, i) => {
      const snapshot = snapshots[i] as Awaited<ReturnType<typeof readSnapshot>>;
      if ('cached' in snapshot) part.done = decodeResolution(snapshot.cached, part.items);
      else {
        part.snapshot = snapshot;
        resolvePart(part);
      }
    });
    const open = parts.filter((p) => !p.done);
    if (open.length === 0) return merged(parts);
    for (;;) {
      const refused = await beforeCommit(merged(parts));
      if (refused.length === 0) break;
      const before = excluded.size;
      for (const i of refused) excluded.add(i);
      // Every round must leave out one more item, so this ends.
      if (excluded.size === before) throw new Error(`batch ${batchId}: refused items were already left out`);
      for (const part of open) resolvePart(part);
    }
    const outcomes = await Promise.all(
      open.map((part) =>
        commitState(
          redis,
          part.keys,
          batchId,
          part.snapshot as Snapshot,
          part.writes as Map<string, WorkspaceWrites>,
          options,
          encodeResolution(part.resolution as BatchResolution, part.items),
          cold !== undefined,
        ),
      ),
    );
    open.forEach((part, i) => {
      if (outcomes[i] === 'ok') part.done = part.resolution;
      // 'committed': another delivery of this batch committed first; the next turn reads its answer.
      // 'conflict': the partition changed since it was read; the next turn reads it again.
    });
  }
  throw new Error(`batch ${batchId}: state changed under ${MAX_CONFLICTS} attempts to commit it`);
}
