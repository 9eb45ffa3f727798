// Stage 1, load: the stream entries a batch names, and their events in receive order.
import { receiveOrder, type AcceptedEvent } from '@thumbline/events';
import { loadEntries, type EntryRefs, type Keys, type RedisClient, type StreamEntry } from '@thumbline/redis';

/**
 * A batch as its job holds it: the stream entries of one slice, named (`refs`: the entries
 * stay in their streams, pinned, until the batch is done) or carried (`entries`: a dead
 * letter copies them into itself so it never holds a stream; tests and tools pass them).
 */
export type BatchData = { refs: EntryRefs[]; entries?: undefined } | { entries: StreamEntry[]; refs?: undefined };

/** An event of a batch with where and when it was received. */
export interface BatchEvent {
  workspaceId: string;
  /** Epoch ms the stream entry was appended (ingest's 202). */
  receivedAt: number;
  recv: string;
  event: AcceptedEvent;
}

/** Epoch ms of a stream id. */
export function entryTime(id: string): number {
  return Number(id.split('-')[0]);
}

/** The id of the oldest entry a batch names or carries. */
export function firstEntryId(data: BatchData): string | undefined {
  if (data.entries) return data.entries[0]?.id;
  let first: string | undefined;
  for (const r of data.refs) {
    const id = r.ids[0];
    if (id !== undefined && (first === undefined || id < first)) first = id;
  }
  return first;
}

/** The stream entries of a batch, read from their streams when it names them. */
export async function loadBatch(redis: RedisClient, keys: Keys, data: BatchData): Promise<StreamEntry[]> {
  return data.entries ?? (await loadEntries(redis, keys, data.refs));
}

/** Flattens stream entries into their events, in receive order. */
export function batchEvents(entries: readonly StreamEntry[]): BatchEvent[] {
  const out: BatchEvent[] = [];
  for (const entry of entries) {
    const events = JSON.parse(entry.events) as AcceptedEvent[];
    const receivedAt = entryTime(entry.id);
    events.forEach((event, i) => {
      out.push({ workspaceId: entry.workspaceId, receivedAt, recv: receiveOrder(entry.id, i), event });
    });
  }
  return out;
}
