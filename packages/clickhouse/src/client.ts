import { Readable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { settingsClause, type Settings } from './settings.ts';

/** Where ClickHouse is: a server over HTTP, or embedded chDB under a directory. */
export type ClickHouseConfig =
  | { kind: 'server'; url: string; username: string; password: string; database: string }
  | { kind: 'embedded'; path: string; database: string };

/**
 * The only way the rest of Thumbline talks to ClickHouse. Both engines look the same
 * through it, and settings are always statement-scoped (see settings.ts).
 */
export interface ClickHouse {
  readonly database: string;
  readonly embedded: boolean;
  /** Runs a SELECT and returns its rows (JSONEachRow). Values go in `params` as {name:Type}. */
  query<T>(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<T[]>;
  /** Runs a statement that returns nothing (DDL). */
  command(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<void>;
  /** Inserts rows as JSONEachRow; pass `insert_deduplication_token` for retry-safe inserts. */
  insert(table: string, rows: readonly object[], settings?: Settings): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Every insert says what it wants instead of inheriting engine defaults (26.x: async_insert=1). */
const INSERT_DEFAULTS: Settings = {
  async_insert: 0,
  insert_deduplicate: 1,
  deduplicate_blocks_in_dependent_materialized_views: 1,
};

function scoped(sql: string, settings?: Settings): string {
  const clause = settingsClause(settings);
  return clause ? `${sql}\n${clause}` : sql;
}

class ClientClickHouse implements ClickHouse {
  constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    readonly embedded: boolean,
  ) {}

  async query<T>(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<T[]> {
    const rs = await this.client.query({ query: scoped(sql, settings), query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  async command(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<void> {
    await this.client.command({ query: scoped(sql, settings), query_params: params });
  }

  async insert(table: string, rows: readonly object[], settings?: Settings): Promise<void> {
    if (!IDENTIFIER.test(table)) throw new Error(`invalid table name: ${table}`);
    if (rows.length === 0) return;
    const body = rows.map((r) => JSON.stringify(r)).join('\n');
    const clause = settingsClause({ ...INSERT_DEFAULTS, ...settings });
    const res = await this.client.exec({
      query: `INSERT INTO ${table} ${clause} FORMAT JSONEachRow`,
      values: Readable.from([body]),
    });
    // Drain the (empty) response so an HTTP socket goes back to the pool.
    for await (const _ of res.stream) void _;
  }

  async ping(): Promise<boolean> {
    try {
      const r = await this.client.ping();
      return r.success;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * Opens ClickHouse and makes sure the configured database exists and is the default
 * for unqualified table names.
 */
export async function openClickHouse(config: ClickHouseConfig): Promise<ClickHouse> {
  if (!IDENTIFIER.test(config.database)) throw new Error(`invalid database name: ${config.database}`);
  if (config.kind === 'server') {
    const bootstrap = createClient({ url: config.url, username: config.username, password: config.password });
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
    } finally {
      await bootstrap.close();
    }
    const client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
    });
    return new ClientClickHouse(client, config.database, false);
  }
  mkdirSync(config.path, { recursive: true });
  // Loaded lazily: the native engine is ~540 MB and server deployments never need it.
  const { createChdbConnection } = await import('chdb/connection');
  const client = createClient({ connection: createChdbConnection({ path: config.path }) } as never);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
  // The embedded engine has one session per process; USE makes it that session's
  // default database, the way the HTTP client's `database` option does per request.
  await client.command({ query: `USE ${config.database}` });
  return new ClientClickHouse(client, config.database, true);
}
