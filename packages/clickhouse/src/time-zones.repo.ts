import type { ClickHouse } from './client.ts';

const known = new WeakMap<ClickHouse, Promise<ReadonlySet<string>>>();

/**
 * The time zones this ClickHouse can load (`system.time_zones`, case-sensitive), read once per
 * client. Queries bind the caller's `tz`, and a zone the JavaScript runtime accepts may be one
 * ClickHouse cannot load (`utc`, `US/Pacific-New`), which failed the query with a 500. A failed
 * read is not kept, so the next request asks again.
 */
export function knownTimeZones(ch: ClickHouse): Promise<ReadonlySet<string>> {
  let zones = known.get(ch);
  if (!zones) {
    zones = ch
      .query<{ time_zone: string }>('SELECT time_zone FROM system.time_zones')
      .then((rows) => new Set(rows.map((r) => r.time_zone)));
    zones.catch(() => known.delete(ch));
    known.set(ch, zones);
  }
  return zones;
}
