// The cold tier of the worker's state (ADR 0010): message and conversation states (with their
// counted events' ids) archived from Redis when their generation closes. One query per lookup
// slice, whatever the batch holds.
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
