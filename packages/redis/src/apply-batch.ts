// Resolving one batch's state: read a snapshot, resolve, commit if unchanged (ADR 0007).
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';
import { resolve, type BatchItem, type BatchResolution } from './batch-resolution.ts';
import { commitState, readSnapshot, type ApplyBatchOptions } from './batch-state.store.ts';
import { decodeResolution, encodeResolution } from './resolution-cache.ts';

/** Resolutions of one process take turns: they would only conflict with each other. */
const turns = new WeakMap<Redis, Promise<unknown>>();

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
 * Resolves dedup and latest-wins state for a batch and commits it atomically (ADR 0007):
 * state is read with plain commands, resolved here, and written by one script only if
 * nothing it was read from changed meanwhile (else read and resolve again). The answer is
 * cached under the batch id in the same step: calling it again for the same batch returns
 * the same resolution.
 */
export function applyBatch(
  redis: Redis,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
  beforeCommit: BeforeCommit = async () => [],
): Promise<BatchResolution> {
  // The stored turn never rejects: a failed resolution only fails its own caller.
  const mine = (turns.get(redis) ?? Promise.resolve()).then(() =>
    resolveAndCommit(redis, keys, batchId, items, options, beforeCommit),
  );
  turns.set(
    redis,
    mine.catch(() => undefined),
  );
  return mine;
}

async function resolveAndCommit(
  redis: Redis,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
  beforeCommit: BeforeCommit,
): Promise<BatchResolution> {
  const batchKey = keys.batch(batchId);
  const excluded = new Set<number>();
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    const snapshot = await readSnapshot(redis, keys, batchKey, items, options);
    if ('cached' in snapshot) return decodeResolution(snapshot.cached, items);
    let { resolution, writes } = resolve(items, snapshot, excluded);
    for (;;) {
      const refused = await beforeCommit(resolution);
      if (refused.length === 0) break;
      const before = excluded.size;
      for (const i of refused) excluded.add(i);
      // Every round must leave out one more item, so this ends.
      if (excluded.size === before) throw new Error(`batch ${batchId}: refused items were already left out`);
      ({ resolution, writes } = resolve(items, snapshot, excluded));
    }
    const cached = encodeResolution(resolution, items);
    const outcome = await commitState(redis, keys, batchKey, snapshot, writes, options, cached);
    if (outcome === 'ok') return resolution;
    // 'committed': another delivery of this batch committed first; the next turn reads its answer.
  }
  throw new Error(`batch ${batchId}: state changed under ${MAX_CONFLICTS} attempts to commit it`);
}
