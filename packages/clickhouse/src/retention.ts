// How long each kind of data is kept (docs/operations.md, Retention), applied as ClickHouse TTLs
// on start from the environment: a changed setting takes effect at the next start, without a
// rebuild (ALTER TABLE … MODIFY TTL, which also removes what the new TTL says has expired).
// The TTL expressions are built here from validated whole numbers of days; the tables
// themselves are created by clickhouse/*.sql.
import type { ClickHouse } from './client.ts';
import { LOCAL_SUFFIX } from './cluster-ddl.ts';
import { TABLES } from './tables.ts';

export interface Retention {
  /** Raw events and transcripts, and the conversation summaries that quote them (THUMBLINE_RETENTION_DAYS). */
  rawDays: number;
  /**
   * Signed changes and the 15-minute aggregates they sum into, and the state that retracts them
   * (THUMBLINE_AGGREGATE_RETENTION_DAYS).
   */
  aggregateDays: number;
}

export const DEFAULT_RETENTION: Retention = { rawDays: 400, aggregateDays: 1825 };

/**
 * Each table's TTL. The state archive keeps a message's or conversation's latest-wins state as
 * long as the aggregates it would retract from: a state is archived after its last change, at
 * or after the bucket it counted in, so it outlives every row it can retract (migration 0009).
 */
export function retentionTtls(r: Retention): { table: string; ttl: string }[] {
  for (const [name, days] of Object.entries(r)) {
    if (!Number.isInteger(days) || days < 1 || days > 36_500)
      throw new Error(`retention ${name}: ${days} is not 1-36500 days`);
  }
  return [
    { table: TABLES.events, ttl: `toDateTime(ts) + toIntervalDay(${r.rawDays})` },
    { table: TABLES.conversations, ttl: `toDateTime(updated_at) + toIntervalDay(${r.rawDays})` },
    { table: TABLES.feedbackChanges, ttl: `bucket + toIntervalDay(${r.aggregateDays})` },
    { table: TABLES.feedback15m, ttl: `bucket + toIntervalDay(${r.aggregateDays})` },
    { table: TABLES.stateArchive, ttl: `archived_at + toIntervalDay(${r.aggregateDays})` },
  ];
}

/** A table's TTL expression as the engine reports it (`engine_full`), '' for none. */
const ttlOf = (engineFull: string) => /\bTTL (.*?)(?: SETTINGS |$)/.exec(engineFull)?.[1]?.trim() ?? '';

/**
 * Sets every table's TTL to `r`, altering only those whose TTL differs (an ALTER rewrites the
 * expired rows away: on a big table that is real work, not something to repeat every start).
 * On a cluster the Replicated local tables are altered, ON CLUSTER. Returns the tables changed.
 */
export async function applyRetention(ch: ClickHouse, r: Retention): Promise<string[]> {
  const cluster = ch.cluster;
  const name = (table: string) => (cluster ? `${table}${LOCAL_SUFFIX}` : table);
  const wanted = retentionTtls(r);
  const rows = await ch.query<{ name: string; engine_full: string }>(
    `SELECT name, engine_full FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
    { names: wanted.map((w) => name(w.table)) },
  );
  const current = new Map(rows.map((row) => [row.name, ttlOf(row.engine_full)]));
  const changed: string[] = [];
  for (const w of wanted) {
    if (current.get(name(w.table)) === w.ttl) continue;
    const onCluster = cluster ? ` ON CLUSTER ${cluster}` : '';
    await ch.command(`ALTER TABLE ${name(w.table)}${onCluster} MODIFY TTL ${w.ttl}`);
    changed.push(w.table);
  }
  return changed;
}
