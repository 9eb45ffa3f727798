// One batch through its stages, in order (ADR 0007, 0008, 0010, 0012):
//   load → resolve → store events → commit → summaries → publish → release
// Resolve, store events and commit repeat per partition until every partition committed:
// storage refusing rows sends the batch back to resolve without them; a partition whose
// state changed meanwhile is read and resolved again. Any other failure throws and the job
// is retried: a retry after the commit takes the cached resolution and writes what is
// missing of the same rows, so a batch counts once however late it is replayed.
import type { ClickHouse } from '@thumbline/clickhouse';
import { joinTrace, traced } from '@thumbline/core';
import type { BatchItem, BatchResolution } from '@thumbline/events';
import type { Keys, LiveBudget, RedisClient } from '@thumbline/redis';
import { BatchRecord } from './batch-record.ts';
import type { WorkspaceDelta } from './deltas.ts';
import { stateItem, summaryRows } from './rows.ts';
import { commitParts } from './stages/commit.ts';
import { batchEvents, loadBatch, type BatchData } from './stages/load.ts';
import { publishDeltas } from './stages/publish.ts';
import { release } from './stages/release.ts';
import { merged, partsOf, resolveParts, resolvePart, type Part } from './stages/resolve.ts';
import { storeEvents } from './stages/store-events.ts';
import { writeSummaries } from './stages/summaries.ts';
import type { Archive } from './state/archive.ts';
import type { StateOptions } from './state/hot.ts';

/** What the state stages need. */
export interface StateDeps {
  redis: RedisClient;
  keys: Keys;
  state: StateOptions;
  /** Where state that left Redis is found, and where closed generations go. */
  archive: Archive;
}

export interface BatchDeps extends StateDeps {
  ch: ClickHouse;
  /** Bytes the live buffers may hold; default DEFAULT_LIVE_BUDGET. */
  live?: LiveBudget;
}

/** Seconds a batch spent in each stage (the stage label of thumbline_batch_stage_seconds). */
export interface StageSeconds {
  load: number;
  /** Reading snapshots and resolving, every round. */
  resolve: number;
  store_events: number;
  commit: number;
  summaries: number;
  publish: number;
  release: number;
}

/** A stopwatch per stage. */
class StageClock {
  readonly seconds: StageSeconds = {
    load: 0,
    resolve: 0,
    store_events: 0,
    commit: 0,
    summaries: 0,
    publish: 0,
    release: 0,
  };

  async time<T>(stage: keyof StageSeconds, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await traced(stage, work);
    } finally {
      this.seconds[stage] += (performance.now() - started) / 1000;
    }
  }
}

export interface BatchOutcome extends BatchResolution {
  /** Events the batch held. */
  events: number;
  /** Events storage refused (dead events). */
  dead: number;
  deltas: WorkspaceDelta[];
  seconds: StageSeconds;
}

/** Commits tried before giving up (the job is retried later). */
const MAX_CONFLICTS = 100;

/**
 * Resolutions of one process take turns per partition: two batches with a partition in
 * common would only conflict there (the second's read would be stale once the first
 * commits), while batches of disjoint partitions run side by side. The turns of a
 * batch's partitions are taken together, synchronously, so the queue of each partition
 * stays in arrival order and no two batches wait for each other.
 */
const turns = new WeakMap<RedisClient, Map<number, Promise<unknown>>>();

function inTurn<T>(redis: RedisClient, partitions: readonly number[], work: () => Promise<T>): Promise<T> {
  let tails = turns.get(redis);
  if (!tails) turns.set(redis, (tails = new Map()));
  const before = partitions.map((p) => tails.get(p));
  const mine = Promise.all(before).then(work);
  // The stored turn never rejects: a failed resolution only fails its own caller.
  const settled = mine.catch(() => undefined);
  for (const p of partitions) tails.set(p, settled);
  void settled.then(() => {
    for (const p of partitions) if (tails.get(p) === settled) tails.delete(p);
  });
  return mine;
}

/** Resolve → store events → commit, until every partition of the batch is committed. */
async function resolveAndCommit(
  deps: StateDeps,
  batchId: string,
  parts: Part[],
  storeFresh: (resolution: BatchResolution) => Promise<number[]>,
  clock: StageClock,
): Promise<BatchResolution> {
  /** Items left out (refused by storage), in the batch's indexes. */
  const excluded = new Set<number>();
  for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
    await clock.time('resolve', () => resolveParts(deps, batchId, parts, excluded));
    const open = parts.filter((p) => !p.done);
    if (open.length === 0) return merged(parts);
    for (;;) {
      const refused = await clock.time('store_events', () => storeFresh(merged(parts)));
      if (refused.length === 0) break;
      const before = excluded.size;
      for (const i of refused) excluded.add(i);
      // Every round must leave out one more item, so this ends.
      if (excluded.size === before) throw new Error(`batch ${batchId}: refused items were already left out`);
      await clock.time('resolve', async () => {
        for (const part of open) resolvePart(part, excluded);
      });
    }
    await clock.time('commit', () => commitParts(deps, batchId, open));
  }
  throw new Error(`batch ${batchId}: state changed under ${MAX_CONFLICTS} attempts to commit it`);
}

/**
 * Resolve → store events → commit for `items` (indexes in the answer are into `items`), in
 * this process's turn; `storeFresh` stores a resolution's new events and answers the items
 * storage refused. The state stages without ClickHouse's summaries, for tools and tests.
 */
export function applyState(
  deps: StateDeps,
  batchId: string,
  items: BatchItem[],
  storeFresh: (resolution: BatchResolution) => Promise<number[]> = async () => [],
  clock = new StageClock(),
): Promise<BatchResolution> {
  const parts = partsOf(deps.keys, items);
  return inTurn(
    deps.redis,
    parts.map((p) => p.keys.index),
    () => resolveAndCommit(deps, batchId, parts, storeFresh, clock),
  );
}

/** Runs one batch through every stage. */
export async function processBatch(deps: BatchDeps, batchId: string, data: BatchData): Promise<BatchOutcome> {
  const clock = new StageClock();
  const entries = await clock.time('load', () => loadBatch(deps.redis, deps.keys, data));
  joinTrace(entries.map((e) => e.traceparent));
  const events = batchEvents(entries);
  const record = new BatchRecord(deps.redis, deps.keys, batchId, deps.state.recordTtlSeconds);
  let dead = 0;
  const store = async (res: BatchResolution) => {
    const { refused } = await storeEvents(deps, batchId, events, res);
    dead += refused.length;
    return refused;
  };
  const resolution = await applyState(deps, batchId, events.map(stateItem), store, clock);
  await clock.time('summaries', () => writeSummaries(deps, record, summaryRows(events, resolution)));
  const deltas = await clock.time('publish', () => publishDeltas(deps, record, resolution));
  await clock.time('release', () => release(deps, record, entries, deltas));
  return { ...resolution, events: events.length, dead, deltas, seconds: clock.seconds };
}
