import { Readable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { ClickHouseError, createClient, type ClickHouseClient } from '@clickhouse/client';
import { dependencyUnavailable, isAppError, withDeadline } from '@thumbline/core';
import { setParamsStatement, type AnalystSqlParam } from './analyst-params.ts';
import { settingsClause, type Settings } from './settings.ts';

/** How long a call may take before its caller gets `503 overloaded` (ms). */
export interface ClickHouseTimeouts {
  /** Dashboard queries (`query`): a request waits at most this long for ClickHouse. */
  queryMs: number;
  /** Inserts, DDL and pings' callers: work that may take longer but must still end. */
  writeMs: number;
}

/** Queries answer a request within 2 s or give way to a 503 (the contract's bound). */
export const DEFAULT_TIMEOUTS: ClickHouseTimeouts = { queryMs: 1800, writeMs: 30_000 };

/**
 * ClickHouse error codes that mean "not now" (load, limits, network, a cluster short of
 * replicas or Keeper), not "wrong query": TIMEOUT_EXCEEDED, TOO_SLOW,
 * TOO_MANY_SIMULTANEOUS_QUERIES, SOCKET_TIMEOUT, NETWORK_ERROR, TABLE_IS_READ_ONLY,
 * MEMORY_LIMIT_EXCEEDED, TOO_MANY_PARTS, TOO_FEW_LIVE_REPLICAS,
 * UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE, UNKNOWN_STATUS_OF_INSERT, QUERY_WAS_CANCELLED,
 * KEEPER_EXCEPTION.
 */
const UNAVAILABLE_CODES = new Set([
  '159',
  '160',
  '202',
  '209',
  '210',
  '242',
  '241',
  '252',
  '285',
  '286',
  '319',
  '394',
  '999',
]);
/** Node's codes for a connection that failed or hung. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * True when ClickHouse is down, overloaded or did not answer in time (then the caller
 * answers 503 and retries later), as opposed to refusing what it was sent.
 */
export function isClickHouseUnavailable(err: unknown): boolean {
  if (isAppError(err, 'overloaded')) return true;
  if (err instanceof ClickHouseError) return UNAVAILABLE_CODES.has(err.code);
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/** The error a caller should see: "unavailable" as one AppError (503), anything else as it is. */
function classified(err: unknown): unknown {
  return isClickHouseUnavailable(err) && !isAppError(err) ? dependencyUnavailable('ClickHouse', err) : err;
}

/** Where ClickHouse is: a server over HTTP, or embedded chDB under a directory. */
export type ClickHouseConfig = (
  | {
      kind: 'server';
      url: string;
      username: string;
      password: string;
      database: string;
      /** Analyst SQL runs as this user (its own caps, grants and row policies); default: the main user. */
      analyst?: { username: string; password: string };
    }
  | {
      kind: 'embedded';
      path: string;
      database: string;
      /** Connections to the engine (each runs one statement at a time); default DEFAULT_EMBEDDED_CONNECTIONS. */
      connections?: number;
    }
) & { timeouts?: Partial<ClickHouseTimeouts> };

/**
 * Embedded connections: a batch's inserts, the next batch's state lookups and dashboard
 * reads each get one instead of queueing behind each other on one (docs/performance.md).
 */
export const DEFAULT_EMBEDDED_CONNECTIONS = 3;

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
  /** The cluster the tables live on (`CLICKHOUSE_CLUSTER`), for DDL the app runs `ON CLUSTER`; unset on one node. */
  readonly cluster?: string | undefined;
  /** Runs a SELECT and returns its rows (JSONEachRow). Values go in `params` as {name:Type}. */
  query<T>(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<T[]>;
  /**
   * Runs a SELECT and returns it as JSONCompact: column names and types, rows as arrays,
   * rows read and elapsed seconds. For analyst SQL: it never shares a connection or a
   * queue with `query` (see AnalystLane), and `maxBytes` caps ClickHouse's output.
   * `database` is the default database of unqualified names (a workspace's analyst views);
   * default: the configured one.
   * @throws ResultTooLargeError when the output is larger than `maxBytes`.
   */
  queryCompact(
    sql: string,
    params?: Record<string, AnalystSqlParam>,
    settings?: Settings,
    maxBytes?: number,
    database?: string,
  ): Promise<CompactResult>;
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

/** ClickHouse's output of one analyst query was larger than the caller allowed. */
export class ResultTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the result is larger than ${maxBytes} bytes`);
    this.name = 'ResultTooLargeError';
  }
}

function parseCompact(text: string): CompactResult {
  const body = JSON.parse(text) as {
    meta?: { name: string; type: string }[];
    data: unknown[][];
    statistics?: { rows_read?: number | string; elapsed?: number };
  };
  return {
    meta: body.meta ?? [],
    data: body.data,
    statistics: { rows_read: Number(body.statistics?.rows_read ?? 0), elapsed: body.statistics?.elapsed ?? 0 },
  };
}

/** Server: the analyst client's own HTTP request; reading stops (and the request is dropped) past `maxBytes`. */
async function compactOverHttp(
  client: ClickHouseClient,
  query: string,
  params: Record<string, AnalystSqlParam> | undefined,
  maxBytes: number,
  database: string,
): Promise<CompactResult> {
  // The statement's own FORMAT, if any (EXPLAIN … FORMAT TabSeparated), binds to the inner
  // statement; this one to the outer, as clickhouse-js does for `format`. The analyst client
  // has no `database` of its own, so ClickHouse takes the request's header.
  const res = await client.exec({
    query: `${query}\nFORMAT JSONCompact`,
    query_params: params,
    http_headers: { 'X-ClickHouse-Database': database },
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.stream.destroy();
      throw new ResultTooLargeError(maxBytes);
    }
    chunks.push(chunk);
  }
  return parseCompact(Buffer.concat(chunks).toString('utf8'));
}

/** What chDB's native layer throws, as the ClickHouseError the HTTP client would have thrown. */
function asClickHouseError(err: unknown): unknown {
  const code = (err as { clickhouseCode?: unknown } | null)?.clickhouseCode;
  if (!(err instanceof Error) || typeof code !== 'number') return err;
  const type = /\(([A-Z_]+)\)\s*$/.exec(err.message.split('\n')[0] ?? '')?.[1];
  return new ClickHouseError({ message: err.message, code: String(code), type });
}

/**
 * Embedded: every analyst query gets a chDB connection of its own, for that query only.
 *
 * Why a new connection each time, and no native parameters:
 * - chDB's npm binding runs natively bound queries one at a time through one process-wide
 *   promise chain; an analyst query there held every dashboard query for its whole time cap
 *   (measured 9.6 s for an overview). Parameters are bound by `SET param_…` on this
 *   connection instead, so the analyst's queries never join that chain.
 * - A query that fails after its output has begun leaves that output in its connection,
 *   prepended to the next result there (verified on 26.7); the connection is closed with it.
 * - `SET param_…` stays in the connection's session: a connection per query means a query
 *   never sees another caller's parameter values.
 * Opening one costs ~4 ms (measured); the data directory and engine are shared.
 */
class AnalystLane {
  constructor(
    private readonly path: string,
    private readonly database: string,
  ) {}

  async run(
    query: string,
    params: Record<string, AnalystSqlParam> | undefined,
    maxBytes: number,
    database = this.database,
  ): Promise<CompactResult> {
    const { createChdbConnection } = await import('chdb/connection');
    const connection = createChdbConnection({ path: this.path });
    try {
      const run = (sql: string, format: string) =>
        connection.chdb.queryAsync(sql, { format }).catch((err: unknown) => {
          throw asClickHouseError(err);
        });
      // A second connection to the same data dir has its own session: it needs its own USE.
      if (!IDENTIFIER.test(database)) throw new Error(`invalid database name: ${database}`);
      await run(`USE ${database}`, 'TabSeparated');
      const set = setParamsStatement(params ?? {});
      if (set) await run(set, 'TabSeparated');
      const bytes = (await run(query, 'JSONCompact')).bytes();
      if (bytes.length > maxBytes) throw new ResultTooLargeError(maxBytes);
      return parseCompact(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
    } finally {
      await connection.close();
    }
  }
}

/**
 * Clients that each run one statement at a time (an embedded chDB connection runs its
 * queries in turn; measured: two 1 s sleeps take 2 s on one connection, 1 s on two), and
 * a call goes to the one with the fewest calls in flight. A server install has one client
 * (its HTTP agent has a socket pool of its own).
 */
class ClientPool {
  private readonly inFlight: number[];

  constructor(readonly clients: readonly ClickHouseClient[]) {
    this.inFlight = clients.map(() => 0);
  }

  async with<T>(work: (client: ClickHouseClient) => Promise<T>): Promise<T> {
    let pick = 0;
    for (let i = 1; i < this.clients.length; i++) {
      if ((this.inFlight[i] as number) < (this.inFlight[pick] as number)) pick = i;
    }
    this.inFlight[pick] = (this.inFlight[pick] as number) + 1;
    try {
      return await work(this.clients[pick] as ClickHouseClient);
    } finally {
      this.inFlight[pick] = (this.inFlight[pick] as number) - 1;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}

class ClientClickHouse implements ClickHouse {
  constructor(
    private readonly pool: ClientPool,
    readonly database: string,
    readonly embedded: boolean,
    private readonly analyst: AnalystLane | ClickHouseClient,
    private readonly timeouts: ClickHouseTimeouts,
    /** Closes what the client sits on (the embedded engine's first session). */
    private readonly onClose: () => void = () => {},
  ) {}

  /**
   * Runs `work` with a deadline: a server request is aborted at `ms`; the embedded engine
   * cannot be interrupted from here, so its caller stops waiting (and a query's own
   * max_execution_time stops the engine soon after). Unavailability becomes one 503 error.
   */
  private async bounded<T>(ms: number, work: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    const signal = this.embedded ? undefined : AbortSignal.timeout(ms);
    try {
      return await withDeadline(work(signal), ms, () => dependencyUnavailable('ClickHouse'));
    } catch (err) {
      // The client's own abort ("The user aborted a request.") is this deadline too.
      throw signal?.aborted && !isAppError(err) ? dependencyUnavailable('ClickHouse', err) : classified(err);
    }
  }

  query<T>(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<T[]> {
    const ms = this.timeouts.queryMs;
    const limit: Settings = { max_execution_time: Math.max(1, Math.ceil(ms / 1000)) };
    return this.bounded(ms, (abort_signal) =>
      this.pool.with(async (client) => {
        const rs = await client.query({
          query: scoped(sql, { ...limit, ...settings }),
          query_params: params,
          format: 'JSONEachRow',
          abort_signal,
        });
        return rs.json<T>();
      }),
    );
  }

  queryCompact(
    sql: string,
    params?: Record<string, AnalystSqlParam>,
    settings?: Settings,
    maxBytes = Number.MAX_SAFE_INTEGER,
    database = this.database,
  ): Promise<CompactResult> {
    const query = scoped(sql, settings);
    return this.analyst instanceof AnalystLane
      ? this.analyst.run(query, params, maxBytes, database)
      : compactOverHttp(this.analyst, query, params, maxBytes, database);
  }

  command(sql: string, params?: Record<string, unknown>, settings?: Settings): Promise<void> {
    return this.bounded(this.timeouts.writeMs, async (abort_signal) => {
      await this.pool.with((client) =>
        client.command({ query: scoped(sql, settings), query_params: params, abort_signal }),
      );
    });
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
    const lines = new Array<string>(rows.length);
    let n = 0;
    for (const row of rows as readonly Record<string, unknown>[]) {
      const values = new Array<unknown>(columns.length);
      for (let i = 0; i < columns.length; i++) values[i] = row[columns[i] as string];
      lines[n++] = JSON.stringify(values);
    }
    const body = `${lines.join('\n')}\n`;
    const merged = { ...INSERT_DEFAULTS, ...settings };
    await this.bounded(this.timeouts.writeMs, (abort_signal) =>
      this.pool.with(async (client) => {
        const res = await client.exec({
          query: `INSERT INTO ${table} (${columns.join(', ')}) ${settingsClause(merged)} FORMAT JSONCompactEachRow`,
          values: Readable.from([body]),
          abort_signal,
        });
        // Drain the (empty) response so an HTTP socket goes back to the pool.
        for await (const _ of res.stream) void _;
      }),
    );
  }

  async ping(): Promise<boolean> {
    try {
      const r = await this.bounded(this.timeouts.queryMs, () => this.pool.with((client) => client.ping()));
      return r.success;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!(this.analyst instanceof AnalystLane)) await this.analyst.close();
    await this.pool.close();
    this.onClose();
  }
}

/**
 * Opens ClickHouse and makes sure the configured database exists and is the default
 * for unqualified table names.
 */
export async function openClickHouse(config: ClickHouseConfig): Promise<ClickHouse> {
  if (!IDENTIFIER.test(config.database)) throw new Error(`invalid database name: ${config.database}`);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
  if (config.kind === 'server') {
    const bootstrap = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      request_timeout: timeouts.writeMs,
    });
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
      request_timeout: timeouts.writeMs,
    });
    // Analysts get a client of their own: its own sockets (a slow analyst query never holds
    // one a dashboard query waits for) and, when configured, its own user and caps. No
    // `database`: each request names its own (a workspace's analyst views) in a header.
    const analyst = createClient({
      url: config.url,
      username: config.analyst?.username ?? config.username,
      password: config.analyst?.password ?? config.password,
      max_open_connections: 4,
    });
    return new ClientClickHouse(new ClientPool([client]), config.database, false, analyst, timeouts);
  }
  mkdirSync(config.path, { recursive: true });
  // Loaded lazily: the native engine is ~540 MB and server deployments never need it.
  const { createChdbConnection } = await import('chdb/connection');
  // The process's engine starts with the first session on the path, with this session's
  // arguments: BACKUP/RESTORE to File(...) needs backups.allowed_path (backup.repo.ts). Later
  // connections to the path share that engine; the session lives as long as the client.
  const { Session } = await import('chdb');
  const engine = new Session(config.path, { connectionArgs: ['--backups.allowed_path=/'] });
  const connections = Math.max(1, config.connections ?? DEFAULT_EMBEDDED_CONNECTIONS);
  const opened = Array.from({ length: connections }, () => createChdbConnection({ path: config.path }));
  const clients = opened.map((connection) => createClient({ connection } as never));
  await (clients[0] as ClickHouseClient).command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
  // Each connection is a session of its own; USE makes the database its default for
  // unqualified table names, the way the HTTP client's `database` option does per request.
  for (const client of clients) await client.command({ query: `USE ${config.database}` });
  const lane = new AnalystLane(config.path, config.database);
  return new ClientClickHouse(new ClientPool(clients), config.database, true, lane, timeouts, () => engine.close());
}
