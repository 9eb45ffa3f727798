// The cold tier of the worker's state (ADR 0010): message and conversation states archived
// from Redis when their hot-window generation closes, and the ids of late events found in
// `events`. One query per lookup, whatever the batch holds.
import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

export type ArchivedKind = 'message' | 'conversation';

/** A state as Redis held it: its hash field ("<workspace>:<id as JSON>") and value. */
export interface ArchivedState {
  kind: ArchivedKind;
  field: string;
  value: string;
}

const workspaceOf = (field: string) => field.slice(0, field.indexOf(':'));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keys per lookup query. A server takes query parameters in the request's URL (at most
 * 1 MiB by default): a batch's keys, up to a few hundred bytes each, go in slices.
 */
const KEYS_PER_QUERY = 1000;

/** `run` over slices of `items`, one after another (a batch's lookups stay one query at a time). */
async function sliced<T>(items: readonly T[], run: (slice: readonly T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += KEYS_PER_QUERY) await run(items.slice(i, i + KEYS_PER_QUERY));
}

/** Archives states of one generation. Repeating it stores nothing new (the table keeps one per field and generation). */
export async function archiveStates(
  ch: ClickHouse,
  generation: number,
  states: readonly ArchivedState[],
): Promise<void> {
  if (states.length === 0) return;
  const archived_at = Math.floor(Date.now() / 1000);
  await ch.insert(
    TABLES.stateArchive,
    states.map((s) => ({
      workspace_id: workspaceOf(s.field),
      kind: s.kind,
      field: s.field,
      generation,
      value: s.value,
      archived_at,
    })),
  );
}

/** The archived state of each field found (the greatest generation's), by field. */
export async function archivedStates(
  ch: ClickHouse,
  kind: ArchivedKind,
  fields: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  await sliced(fields, async (slice) => {
    const rows = await ch.query<{ field: string; value: string }>(
      `SELECT field, argMax(value, generation) AS value
         FROM ${TABLES.stateArchive}
        WHERE workspace_id IN {ws:Array(String)} AND kind = {kind:String} AND field IN {fields:Array(String)}
        GROUP BY field`,
      { ws: [...new Set(slice.map(workspaceOf))], kind, fields: slice },
    );
    for (const r of rows) found.set(r.field, r.value);
  });
  return found;
}

/** A late event to look up: is its id stored from another stream entry than its own? */
export interface StoredEventQuery {
  workspaceId: string;
  conversationId: string;
  eventId: string;
  /** Its own receive order: a row with it is this very entry's, stored by an earlier attempt. */
  recv: string;
}

/**
 * Of these events, those `events` holds from another entry (`<workspace>:<event id>`): an
 * earlier delivery of the same event, accepted before. A row this entry stored itself (an
 * attempt that failed before its state was committed) does not count.
 */
export async function storedElsewhere(ch: ClickHouse, all: readonly StoredEventQuery[]): Promise<Set<string>> {
  const seen = new Set<string>();
  // An id that is not a UUID was never stored (the column is a UUID): nothing to ask.
  const events = all.filter((e) => UUID.test(e.eventId));
  const own = new Map(events.map((e) => [`${e.workspaceId}:${e.eventId}`, e.recv]));
  await sliced(events, async (slice) => {
    const rows = await ch.query<{ workspace_id: string; event_id: string; recv: string }>(
      `SELECT workspace_id, toString(event_id) AS event_id, recv
         FROM ${TABLES.events}
        WHERE workspace_id IN {ws:Array(String)}
          AND conversation_id IN {cids:Array(String)}
          AND event_id IN {ids:Array(UUID)}`,
      {
        ws: [...new Set(slice.map((e) => e.workspaceId))],
        cids: [...new Set(slice.map((e) => e.conversationId))],
        ids: [...new Set(slice.map((e) => e.eventId))],
      },
    );
    for (const r of rows) {
      const key = `${r.workspace_id}:${r.event_id}`;
      const mine = own.get(key);
      if (mine !== undefined && mine !== r.recv) seen.add(key);
    }
  });
  return seen;
}
