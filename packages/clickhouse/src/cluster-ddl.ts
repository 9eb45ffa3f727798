import type { Migration } from './migration.ts';

/**
 * Cluster DDL: the same migration files, run on a ClickHouse cluster.
 *
 * Every table a migration creates with a MergeTree-family engine becomes two tables on every
 * node (`ON CLUSTER`): `<name>_local`, the Replicated engine that stores one shard's rows, and
 * `<name>`, a `Distributed` table over them sharded by `cityHash64(workspace_id)`. The app keeps
 * using the plain names, so its queries and inserts do not change; a workspace's rows all live on
 * one shard, so per-workspace reads, FINAL, IN and JOIN stay exact shard by shard.
 * Materialized views read and write the local tables: a view fires where a block is inserted, and
 * replication copies both its source and its result, so nothing is counted twice.
 *
 * A view's `ALTER TABLE … MODIFY QUERY` reads the local tables too.
 *
 * The transformation understands the statement shapes the migrations use and refuses anything
 * else, so a new migration it cannot translate fails its test instead of half-applying on a cluster.
 */
export interface ClusterTarget {
  /** Cluster name in the servers' `remote_servers`. */
  cluster: string;
  /** Database of the tables (the Distributed engine names it explicitly). */
  database: string;
}

/** Suffix of the Replicated table that holds a shard's rows behind a Distributed table. */
export const LOCAL_SUFFIX = '_local';

/** Every row of a workspace goes to one shard. */
export const SHARDING_KEY = 'cityHash64(workspace_id)';

/**
 * Where a table's replicas meet in Keeper. `{database}` and `{table}` keep paths distinct per
 * install and table; `{shard}` separates the shards' replication groups.
 */
export const REPLICA_PATH = "'/clickhouse/tables/{shard}/{database}/{table}'";
export const REPLICA_NAME = "'{replica}'";

/**
 * Hash sums of inserted blocks kept in Keeper for insert deduplication: the block count of the
 * single-node files' `non_replicated_deduplication_window` and a time cap far above the retry
 * horizon (ADR 0008), so the count stays the binding limit as it is on one node.
 */
export const REPLICATED_DEDUP_SECONDS = 7 * 86_400;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MERGE_TREE = /^(|Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing)MergeTree$/;

/** A migration statement the cluster translation does not know how to run everywhere. */
export class ClusterDdlError extends Error {
  constructor(message: string, statement: string) {
    super(`${message} (cluster DDL): ${statement.split('\n')[0]}`);
    this.name = 'ClusterDdlError';
  }
}

/** Splits on commas outside parentheses and quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Points the sharded tables a SELECT reads (after FROM or JOIN) at their local tables. */
function localSources(select: string, sharded: ReadonlySet<string>, database: string): string {
  return select.replace(
    /\b(FROM|JOIN)(\s+)([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\.)/gi,
    (all, kw: string, sp: string, name: string) =>
      sharded.has(name) ? `${kw}${sp}${database}.${name}${LOCAL_SUFFIX}` : all,
  );
}

/** The engine's settings with the single-node dedup window turned into the replicated windows. */
function replicatedSettings(rest: string): string {
  return rest.replace(
    /\bnon_replicated_deduplication_window\s*=\s*(\d+)/g,
    (_all, blocks: string) =>
      `replicated_deduplication_window = ${blocks}, replicated_deduplication_window_seconds = ${REPLICATED_DEDUP_SECONDS}`,
  );
}

const CREATE_TABLE =
  /^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:(\([\s\S]*\))|AS\s+([A-Za-z_][A-Za-z0-9_]*))\s*ENGINE\s*=\s*([A-Za-z]+)\s*(?:\(([^()]*)\))?([\s\S]*)$/i;
const CREATE_MV =
  /^CREATE\s+MATERIALIZED\s+VIEW\s+IF\s+NOT\s+EXISTS\s+([A-Za-z_][A-Za-z0-9_]*)\s+TO\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+([\s\S]+)$/i;
const ALTER_TABLE = /^ALTER\s+TABLE\s+([A-Za-z_][A-Za-z0-9_]*)\s+([\s\S]+)$/i;
const COLUMN_OP = /^(ADD|DROP|MODIFY|RENAME|COMMENT|CLEAR)\s+COLUMN\b/i;
const ORDER_BY_OP = /^MODIFY\s+ORDER\s+BY\b/i;
const MODIFY_QUERY = /^MODIFY\s+QUERY\s+([\s\S]+)$/i;

/**
 * Translates the statements of migrations, in order, into cluster DDL. Which tables are sharded
 * is learnt from the statements themselves, so pass every migration (applied or not): a later
 * `ALTER` or view needs to know what an earlier file created.
 */
export class ClusterDdl {
  private readonly sharded = new Set<string>();
  private readonly on: string;
  /** Names are qualified: a node runs ON CLUSTER DDL in its own session, not the caller's. */
  private readonly q = (name: string) => `${this.target.database}.${name}`;

  constructor(private readonly target: ClusterTarget) {
    for (const name of [target.cluster, target.database]) {
      if (!IDENT.test(name)) throw new Error(`invalid cluster or database name: ${name}`);
    }
    this.on = `ON CLUSTER ${target.cluster}`;
  }

  /** Tables that became `<name>_local` + Distributed `<name>` so far. */
  get shardedTables(): ReadonlySet<string> {
    return this.sharded;
  }

  /** The statements that do on every node of the cluster what `statement` does on one. */
  translate(statement: string): string[] {
    const sql = statement.trim();
    const table = CREATE_TABLE.exec(sql);
    if (table) return this.createTable(sql, table);
    const mv = CREATE_MV.exec(sql);
    if (mv) return this.createView(sql, mv);
    const alter = ALTER_TABLE.exec(sql);
    if (alter) return this.alterTable(sql, alter);
    throw new ClusterDdlError(
      'unsupported statement: only CREATE TABLE/MATERIALIZED VIEW IF NOT EXISTS and ALTER TABLE',
      sql,
    );
  }

  private createTable(sql: string, m: RegExpExecArray): string[] {
    const [, name = '', columns, source, engine = '', args, rest = ''] = m;
    if (source !== undefined && !this.sharded.has(source) && MERGE_TREE.test(engine)) {
      throw new ClusterDdlError(`${source} is not a sharded table`, sql);
    }
    const schema = columns ?? `AS ${this.q(`${source}${source && this.sharded.has(source) ? LOCAL_SUFFIX : ''}`)}`;
    if (!MERGE_TREE.test(engine)) {
      // Null, Memory and the like keep nothing to replicate: the same table on every node.
      const engineArgs = args === undefined ? '' : `(${args})`;
      return [`CREATE TABLE IF NOT EXISTS ${this.q(name)} ${this.on} ${schema} ENGINE = ${engine}${engineArgs}${rest}`];
    }
    if (columns !== undefined && !/(^|[(,])\s*workspace_id\s/.test(columns)) {
      throw new ClusterDdlError(`${name} has no workspace_id column to shard by`, sql);
    }
    const local = `${name}${LOCAL_SUFFIX}`;
    const replicated = [REPLICA_PATH, REPLICA_NAME, ...(args?.trim() ? [args.trim()] : [])].join(', ');
    this.sharded.add(name);
    return [
      `CREATE TABLE IF NOT EXISTS ${this.q(local)} ${this.on} ${schema} ENGINE = Replicated${engine}(${replicated})${replicatedSettings(rest)}`,
      `CREATE TABLE IF NOT EXISTS ${this.q(name)} ${this.on} AS ${this.q(local)} ENGINE = Distributed(${this.target.cluster}, ${this.target.database}, ${local}, ${SHARDING_KEY})`,
    ];
  }

  private createView(sql: string, m: RegExpExecArray): string[] {
    const [, name = '', target = '', select = ''] = m;
    if (!this.sharded.has(target)) throw new ClusterDdlError(`view target ${target} is not a sharded table`, sql);
    const local = localSources(select, this.sharded, this.target.database);
    if (local === select) throw new ClusterDdlError('view reads no sharded table', sql);
    return [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${this.q(name)} ${this.on} TO ${this.q(`${target}${LOCAL_SUFFIX}`)} AS ${local}`,
    ];
  }

  private alterTable(sql: string, m: RegExpExecArray): string[] {
    const [, name = '', ops = ''] = m;
    if (!this.sharded.has(name)) {
      // A view's new query reads the local tables, as the view's CREATE does.
      const query = MODIFY_QUERY.exec(ops.trim());
      if (!query) return [`ALTER TABLE ${this.q(name)} ${this.on} ${ops}`];
      const select = query[1] ?? '';
      const local = localSources(select, this.sharded, this.target.database);
      if (local === select) throw new ClusterDdlError('view reads no sharded table', sql);
      return [`ALTER TABLE ${this.q(name)} ${this.on} MODIFY QUERY ${local}`];
    }
    const parts = splitTopLevel(ops);
    const kinds = parts.map((op) => COLUMN_OP.test(op));
    const local = `ALTER TABLE ${this.q(`${name}${LOCAL_SUFFIX}`)} ${this.on} ${ops}`;
    // The Distributed table mirrors the columns; indexes, TTLs and settings live on the local one.
    if (kinds.every(Boolean)) return [local, `ALTER TABLE ${this.q(name)} ${this.on} ${ops}`];
    if (!kinds.some(Boolean)) return [local];
    // ClickHouse takes new columns into a sorting key only in the ALTER that adds them: the
    // local table gets both, the Distributed table (no sorting key) the columns.
    if (parts.every((op, i) => kinds[i] || ORDER_BY_OP.test(op))) {
      const columns = parts.filter((_op, i) => kinds[i]).join(', ');
      return [local, `ALTER TABLE ${this.q(name)} ${this.on} ${columns}`];
    }
    throw new ClusterDdlError('mix of column and other changes in one ALTER: split it', sql);
  }
}

/** The migrations with their statements translated for `target` (same versions and checksums). */
export function clusterMigrations(migrations: readonly Migration[], target: ClusterTarget): Migration[] {
  const ddl = new ClusterDdl(target);
  return migrations.map((m) => ({ ...m, statements: m.statements.flatMap((s) => ddl.translate(s)) }));
}

/**
 * What runs before any migration on a cluster: the database on every node, and the migration
 * records in one replication group spanning every node (no `{shard}` in its path), so every
 * node agrees on what was applied. Replica names join shard and replica macros, unique
 * cluster-wide even where `{replica}` repeats across shards.
 */
export function clusterBootstrap(target: ClusterTarget, migrationsTable: string): string[] {
  new ClusterDdl(target); // validates the names
  const on = `ON CLUSTER ${target.cluster}`;
  return [
    `CREATE DATABASE IF NOT EXISTS ${target.database} ${on}`,
    `CREATE TABLE IF NOT EXISTS ${target.database}.${migrationsTable} ${on} (
       version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC')
     ) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}', applied_at)
     ORDER BY version`,
  ];
}
