import { knownTimeZones, type ClickHouse } from '@thumbline/clickhouse';
import { AppError } from '@thumbline/core';
import { addDays, dateRangeSchema, isTimeZone, MIN_DATE, todayIn, type DateRange } from '@thumbline/events';
import type { CredentialStore } from '@thumbline/redis';

export interface QueryWindowDeps {
  store: CredentialStore;
  ch: ClickHouse;
}

/** The resolved window of a ranged query: inclusive local dates and the zone they are in. */
export interface QueryWindow extends DateRange {
  tz: string;
}

/**
 * The window of a ranged query (overview, breakdown, sources, inbox, export, knowledge gaps):
 * `from`/`to` as given, or the 30 days ending today in the zone, checked whole by
 * `dateRangeSchema` once the defaults are filled in (each date alone was checked by the route's
 * query schema). The zone must be one both this runtime (for the window's arithmetic) and
 * ClickHouse (for the query) know; anything else is a 400, never a failed query.
 */
export async function resolveWindow(
  deps: QueryWindowDeps,
  workspaceId: string,
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
): Promise<QueryWindow> {
  const tz = q.tz ?? (await deps.store.workspace(workspaceId))?.tz ?? 'UTC';
  if (!isTimeZone(tz) || !(await knownTimeZones(deps.ch)).has(tz)) {
    throw new AppError('invalid_tz', 400, `tz: unknown time zone ${tz}`);
  }
  const to = q.to ?? todayIn(tz);
  const earliest = addDays(to, -29);
  // The default start never falls before the first date a query may name.
  const from = q.from ?? (earliest < MIN_DATE ? MIN_DATE : earliest);
  const range = dateRangeSchema.safeParse({ from, to });
  if (!range.success) {
    const issue = range.error.issues[0];
    const code =
      issue?.code === 'custom' && issue.params?.code === 'range_too_large' ? 'range_too_large' : 'invalid_query';
    throw new AppError(code, 400, `${issue?.path.join('.') || 'from/to'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ...range.data, tz };
}
