import type { BatchResolution } from '@thumbline/events';
import {
  writeChanges,
  writeConversations,
  writeEvents,
  type ClickHouse,
  type SummaryTable,
} from '@thumbline/clickhouse';
import {
  applyBatch,
  forgetBatch,
  loadEntries,
  unpinEntries,
  markWritten,
  publishDelta,
  recordDeadEvents,
  withCommitStamp,
  writtenTables,
  type ApplyBatchOptions,
  type ColdTier,
  type Keys,
  type RedisClient,
  type EntryRefs,
  type StreamEntry,
} from '@thumbline/redis';
import { batchEvents, batchRows, eventRows, stateItem } from '../batch-rows.ts';
import { workspaceDeltas } from '../deltas.ts';

export const QUEUE = 'events';
export const JOB = 'insert-batch';

/**
 * Job data: the stream entries of one slice, named (`refs`: the entries stay in their
 * streams, pinned, until the job is done) or carried (`entries`: a dead letter copies them
 * into itself so it never holds a stream; tests and tools pass them directly).
 */
export type InsertBatchData = { refs: EntryRefs[]; entries?: undefined } | { entries: StreamEntry[]; refs?: undefined };

/** The id of the oldest entry a job names or carries. */
export function firstEntryId(data: InsertBatchData): string | undefined {
  if (data.entries) return data.entries[0]?.id;
  let first: string | undefined;
  for (const r of data.refs) {
    const id = r.ids[0];
    if (id !== undefined && (first === undefined || id < first)) first = id;
  }
  return first;
}

/** The stream entries of a job, read from their streams when it names them. */
export async function entriesOf(deps: Pick<InsertBatchDeps, 'redis' | 'keys'>, data: InsertBatchData) {
  return data.entries ?? (await loadEntries(deps.redis, deps.keys, data.refs));
}

export interface InsertBatchDeps {
  redis: RedisClient;
  keys: Keys;
  ch: ClickHouse;
  state: ApplyBatchOptions;
  /** Where state that left Redis's hot window is found (ADR 0010); without one it expires. */
  cold?: ColdTier | undefined;
}

/** Seconds a batch spent in each stage (the stage label of thumbline_batch_stage_seconds). */
export interface StageSeconds {
  state: number;
  clickhouse: number;
  publish: number;
}

/**
 * Processes one slice (ADR 0007, ADR 0008):
 * 1. resolve dedup and latest-wins state from a snapshot;
 * 2. insert the new events' raw rows; rows ClickHouse refuses for their data are found,
 *    kept as dead events and left out, and the batch is resolved again without them;
 * 3. commit the state (the resolution is cached for retries);
 * 4. insert conversation versions (stamped for the inbox's watermark), then signed changes,
 *    each table once per batch (ledger);
 * 5. publish each workspace's live delta once, and forget the batch.
 * Any failure throws and the job is retried; a retry after step 3 writes what is missing
 * of the same rows, so a batch counts once however late it is replayed.
 */
export async function insertBatch(
  deps: InsertBatchDeps,
  batchId: string,
  data: InsertBatchData,
): Promise<BatchResolution & { events: number; dead: number; seconds: StageSeconds }> {
  const t0 = performance.now();
  const entries = await entriesOf(deps, data);
  const events = batchEvents(entries);
  let clickhouseMs = 0;
  let dead = 0;
  const res = await applyBatch(
    deps.redis,
    deps.keys,
    batchId,
    events.map(stateItem),
    deps.state,
    async (resolution) => {
      const started = performance.now();
      const refused = await writeEvents(deps.ch, batchId, eventRows(events, resolution));
      clickhouseMs += performance.now() - started;
      const items = refused.map((r) => resolution.fresh[r.index] as number);
      await recordDeadEvents(
        deps.redis,
        deps.keys,
        refused.map((r, n) => {
          const b = events[items[n] as number];
          return {
            batchId,
            index: items[n] as number,
            workspaceId: b?.workspaceId ?? '',
            event: JSON.stringify(b?.event),
            error: r.error,
          };
        }),
      );
      dead += refused.length;
      return items;
    },
    deps.cold,
  );
  const t1 = performance.now();
  const written = (await writtenTables(deps.redis, deps.keys, batchId)) as Set<SummaryTable>;
  const rows = batchRows(events, res);
  const mark = (table: SummaryTable) => markWritten(deps.redis, deps.keys, batchId, table, deps.state.resultTtlSeconds);
  // Conversation versions first, stamped and registered so the inbox's watermark stays
  // below them until they are stored; then the changes the overview counts. So a
  // conversation counted on the overview is in the next inbox listing.
  if (!written.has('conversations')) {
    await withCommitStamp(deps.redis, deps.keys, batchId, (stamp) =>
      writeConversations(deps.ch, batchId, rows.conversations, stamp),
    );
    await mark('conversations');
  }
  if (!written.has('changes')) {
    await writeChanges(deps.ch, batchId, rows.changes);
    await mark('changes');
  }
  const t2 = performance.now();
  // Only now, with the rows committed, may dashboards hear of them.
  const deltas = workspaceDeltas(res);
  for (const { workspaceId, delta } of deltas) {
    await publishDelta(deps.redis, deps.keys, batchId, workspaceId, JSON.stringify(delta), deps.state.resultTtlSeconds);
  }
  // Done: what was kept for retries of this job goes (kept, the cached resolution alone
  // would hold ~200 bytes per event in Redis).
  const partitions = new Set(entries.map((e) => e.partition));
  await forgetBatch(
    deps.redis,
    deps.keys,
    batchId,
    partitions,
    deltas.map((d) => d.workspaceId),
  );
  // Its entries may go now (once nothing older is pending or pinned).
  await unpinEntries(deps.redis, deps.keys, batchId, partitions);
  const t3 = performance.now();
  const seconds = {
    state: (t1 - t0 - clickhouseMs) / 1000,
    clickhouse: (clickhouseMs + t2 - t1) / 1000,
    publish: (t3 - t2) / 1000,
  };
  return { ...res, events: events.length, dead, seconds };
}
