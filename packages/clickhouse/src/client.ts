import { Readable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { settingsClause, type Settings } from './settings.ts';

/** Where ClickHouse is: a server over HTTP, or embedded chDB under a directory. */
export type ClickHouseConfig =
  | { kind: 'server'; url: string; username: string; password: string; database: string }
  | { kind: 'embedded'; path: string; database: string };

/** A JSONCompact result: columns, rows as arrays, and what ClickHouse measured (elapsed in seconds). */
export interface CompactResult {
  meta: { name: string; type: string }[];
  data: unknown[][];
  statistics: { rows_read: number; elapsed: number };
}

/**
 * The only way the rest of Thumbline talks to ClickHouse. Both engines look the same
 * through it, and settings are always statement-scoped (see settings.ts).
 */
export interface ClickHouse {
  readonly database: string;
  readonly embedded: boolean;
  /** Runs a SELECT and returns its rows (JSONEachRow). Values go in `params` as {name:Type}. */
  query<T>(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<T[]>;
  /**
   * Runs a SELECT and returns it as JSONCompact: column names and types, rows as arrays,
   * rows read and elapsed seconds. Meant for queries that may well fail (analyst SQL):
   * embedded, they run on a connection of their own (see CompactLane).
   */
  queryCompact(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<CompactResult>;
  /** Runs a statement that returns nothing (DDL). */
  command(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<void>;
  /**
   * Inserts rows (objects with the same keys); fills `columns` (default: the first row's
   * keys), leaving the table's other columns to their defaults. Pass
   * `insert_deduplication_token` for retry-safe inserts.
   */
  insert(table: string, rows: readonly object[], settings?: Settings, columns?: readonly string[]): Promise<void>;
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

async function compact(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> | undefined,
): Promise<CompactResult> {
  const started = performance.now();
  const rs = await client.query({ query, query_params: params, format: 'JSONCompact' });
  const body = await rs.json<unknown[]>();
  // Both engines send statistics with JSONCompact (verified); measure here should one not.
  return {
    meta: body.meta ?? [],
    data: body.data,
    statistics: {
      rows_read: Number(body.statistics?.rows_read ?? 0),
      elapsed: body.statistics?.elapsed ?? (performance.now() - started) / 1000,
    },
  };
}

/**
 * An embedded connection of its own for queryCompact, used by one query at a time.
 *
 * Why: when a query fails after its output has begun (a result, time or memory cap,
 * throwIf), chDB keeps the partial output in that connection and prepends it to the next
 * result there (verified on 26.7: the next JSONEachRow query returned the failed query's
 * rows as its own). Queries expected to fail must not hand their leftovers to dashboard
 * queries, so they get this connection; after a failure one throwaway query takes the
 * leftover before the next caller runs. The leftover is per connection (verified).
 */
class CompactLane {
  private client: Promise<ClickHouseClient> | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly connect: () => Promise<ClickHouseClient>) {}

  run(query: string, params: Record<string, unknown> | undefined): Promise<CompactResult> {
    const result = this.tail.then(() => this.once(query, params));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async once(query: string, params: Record<string, unknown> | undefined): Promise<CompactResult> {
    const pending = (this.client ??= this.connect());
    const client = await pending.catch((err: unknown) => {
      this.client = undefined; // try again on the next call
      throw err;
    });
    try {
      return await compact(client, query, params);
    } catch (err) {
      try {
        await (await client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).text();
      } catch {
        // Could not clear it: drop the connection rather than hand its leftover on.
        this.client = undefined;
        await client.close().catch(() => undefined);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.tail;
    const pending = this.client;
    this.client = undefined;
    if (pending) await (await pending.catch(() => undefined))?.close();
  }
}

class ClientClickHouse implements ClickHouse {
  constructor(
    private readonly client: ClickHouseClient,
    readonly database: string,
    readonly embedded: boolean,
    private readonly lane?: CompactLane,
  ) {}

  async query<T>(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<T[]> {
    const rs = await this.client.query({ query: scoped(sql, settings), query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  queryCompact(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<CompactResult> {
    const query = scoped(sql, settings);
    return this.lane ? this.lane.run(query, params) : compact(this.client, query, params);
  }

  async command(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<void> {
    await this.client.command({ query: scoped(sql, settings), query_params: params });
  }

  async insert(table: string, rows: readonly object[], settings?: Settings, only?: readonly string[]): Promise<void> {
    if (!IDENTIFIER.test(table)) throw new Error(`invalid table name: ${table}`);
    const first = rows[0];
    if (first === undefined) return;
    // JSONCompactEachRow with a column list: ClickHouse parses it about a quarter faster
    // than JSONEachRow (measured on the events table), as it skips the keys.
    const columns = only ?? Object.keys(first);
    for (const column of columns) {
      if (!IDENTIFIER.test(column)) throw new Error(`invalid column name: ${column}`);
    }
    let body = '';
    for (const row of rows as readonly Record<string, unknown>[]) {
      body += `${JSON.stringify(columns.map((c) => row[c]))}\n`;
    }
    const clause = settingsClause({ ...INSERT_DEFAULTS, ...settings });
    const res = await this.client.exec({
      query: `INSERT INTO ${table} (${columns.join(', ')}) ${clause} FORMAT JSONCompactEachRow`,
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

  async close(): Promise<void> {
    await this.lane?.close();
    await this.client.close();
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
  const lane = new CompactLane(async () => {
    // A second connection to the same data dir has its own session: it needs its own USE.
    const own = createClient({ connection: createChdbConnection({ path: config.path }) } as never);
    await own.command({ query: `USE ${config.database}` });
    return own;
  });
  return new ClientClickHouse(client, config.database, true, lane);
}
