import { AppError } from '@thumbline/core';
import type { AnalystSqlParam } from './analyst-params.ts';
import { ResultTooLargeError, type ClickHouse } from './client.ts';
import { judgeAnalystSql } from './analyst-judge.ts';
import { ANALYST_TABLES, AnalystViews } from './analyst-views.ts';

/** Caps of one analyst query. They are server-side: nothing in a request can change them. */
export interface AnalystSqlCaps {
  /** Seconds. */
  max_execution_time: number;
  /** Bytes. */
  max_memory_usage: number;
  max_rows_to_read: number;
  max_result_rows: number;
  /** Bytes of the result as ClickHouse holds it, before it becomes JSON. */
  max_result_bytes: number;
  /** Threads one analyst query may use: dashboards keep the other cores. */
  max_threads: number;
  /** Bytes of ClickHouse's JSON output, i.e. about the response size (not a ClickHouse setting). */
  max_response_bytes: number;
}

export const ANALYST_SQL_CAPS: Readonly<AnalystSqlCaps> = Object.freeze({
  max_execution_time: 10,
  max_memory_usage: 1024 ** 3,
  max_rows_to_read: 100_000_000,
  max_result_rows: 10_000,
  max_result_bytes: 64 * 1024 ** 2,
  max_threads: 1,
  max_response_bytes: 16 * 1024 ** 2,
});

export type { AnalystSqlParam } from './analyst-params.ts';

export interface AnalystSqlResult {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rows_read: number;
  elapsed_ms: number;
}

/** Codes of ClickHouse refusing the statement itself: not one SELECT, or not read-only. */
const REFUSED: ReadonlyMap<number, string> = new Map([
  [62, 'SYNTAX_ERROR'], // also what a non-SELECT or a second statement becomes inside the subquery
  [164, 'READONLY'], // writes and table functions (file, url, s3, remote, …) under readonly = 1
  [497, 'ACCESS_DENIED'],
]);

/** Codes of a cap being hit (each seen on 26.7, by the setting named). */
const LIMITS: ReadonlyMap<number, string> = new Map([
  [158, 'TOO_MANY_ROWS'], // max_rows_to_read
  [159, 'TIMEOUT_EXCEEDED'], // max_execution_time
  [160, 'TOO_SLOW'], // sleep beyond 3 s per block
  [167, 'TOO_DEEP_AST'],
  [168, 'TOO_BIG_AST'],
  [241, 'MEMORY_LIMIT_EXCEEDED'], // max_memory_usage
  [307, 'TOO_MANY_BYTES'], // max_bytes_to_read
  [396, 'TOO_MANY_ROWS_OR_BYTES'], // max_result_rows, max_result_bytes
]);

const MAX_MESSAGE = 500;

/** ClickHouse's numeric error code, when `err` is a ClickHouse error. */
function clickHouseCode(err: unknown): number | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : null;
}

/** Where ClickHouse goes on from what went wrong to how it ran: the plan, the full statement. */
const MESSAGE_TAILS = [': while executing', ' In scope ', ' in scope ', '. In query ', ' (in query: '];
const UUID_IN_PARENS = / \([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)/g;

/**
 * ClickHouse's message, kept to the analyst's own query: its first line, without the
 * executed plan or the rewritten statement (which carry internal names and our settings),
 * table UUIDs, or the names of the databases behind the analyst tables.
 */
function analystMessage(err: Error, databases: readonly string[]): string {
  let line = err.message.split('\n')[0]?.trim() ?? '';
  for (const tail of MESSAGE_TAILS) {
    const at = line.indexOf(tail);
    if (at > 0) line = line.slice(0, at);
  }
  line = line.replace(UUID_IN_PARENS, '');
  for (const db of databases) line = line.split(`${db}.`).join('');
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}

/** An error of the analyst's query as the AppError to answer with; anything else unchanged. */
function classify(err: unknown, databases: readonly string[]): unknown {
  if (err instanceof ResultTooLargeError) {
    return new AppError('query_limit_exceeded', 400, `${err.message}: select fewer rows or columns`, { cause: err });
  }
  if (err instanceof AppError || !(err instanceof Error)) return err;
  const code = clickHouseCode(err);
  if (code === null) return err; // not ClickHouse answering: ours to log as a 500
  const message = analystMessage(err, databases);
  if (REFUSED.has(code)) {
    return new AppError('read_only', 400, `only one read-only SELECT can run: ${message}`, { cause: err });
  }
  if (LIMITS.has(code)) return new AppError('query_limit_exceeded', 400, message, { cause: err });
  return new AppError('query_failed', 400, message, { cause: err });
}

/**
 * The statement as ClickHouse's own parser reads it, printed back by its formatter.
 * The text goes in as a hex literal, never as SQL, so it cannot change this statement.
 * More than one statement, unbalanced parentheses and unclosed comments fail here
 * (SYNTAX_ERROR); what comes back is one statement with no comments, which cannot close
 * the parenthesis it is wrapped in. Verified with raw text instead: `… ) --` commented out
 * every cap, and `SELECT 1); INSERT …; SELECT 1 FROM (SELECT 1` ran the INSERT (the
 * embedded engine runs `;`-separated statements) during the EXPLAIN below.
 */
async function canonical(ch: ClickHouse, query: string): Promise<string> {
  // Hex digits cannot end the literal; no parameter, so nothing waits on chDB's parameter queue.
  const hex = Buffer.from(query, 'utf8').toString('hex');
  const res = await ch.queryCompact(`SELECT formatQuerySingleLine(unhex('${hex}'))`, {}, { readonly: 1 });
  const text = res.data[0]?.[0];
  if (typeof text !== 'string') throw new Error('formatQuerySingleLine returned no text');
  return text;
}

/**
 * Settings that keep the analyst's expressions above the workspace's read: no filter is pushed
 * down into a view, moved into a PREWHERE or answered from a projection. The view's own
 * PREWHERE already keeps other rows out of the read (tried with every variant in the hostile
 * corpus, with and without these); they make that not depend on how the optimizer orders the
 * steps of a read. The cost: an analyst's WHERE does not narrow the read below the workspace.
 */
const READ_FENCE = {
  query_plan_filter_push_down: 0,
  enable_optimize_predicate_expression: 0,
  optimize_move_to_prewhere: 0,
  optimize_use_projections: 0,
} as const;

const DEFAULT_VIEWS = new AnalystViews();

/**
 * Rows of the caller's workspace in the analyst tables the statement reads, once per read.
 * Reported as `rows_read` instead of ClickHouse's own figure, which counts whole granules and so
 * the rows of other workspaces stored beside the caller's.
 */
async function ownRowsRead(ch: ClickHouse, database: string, reads: readonly string[]): Promise<number> {
  if (reads.length === 0) return 0;
  const tables = [...new Set(reads)];
  const counts = tables.map((t) => `(SELECT count() FROM ${t}) * ${reads.filter((r) => r === t).length}`);
  const res = await ch.queryCompact(
    `SELECT toString(${counts.join(' + ')})`,
    {},
    { max_execution_time: 10, readonly: 1 },
    undefined,
    database,
  );
  return Number(res.data[0]?.[0] ?? 0);
}

/**
 * Runs one analyst SELECT of `workspaceId` under `caps`: it reads the workspace's views
 * (analyst-views.ts), read-only and capped in time, memory, rows read and result size.
 * Whether it is one read-only SELECT is judged by ClickHouse (its parser, then readonly = 1),
 * never by looking at the text. Caps are the statement's own SETTINGS, so they end with it and
 * the next query on the connection runs without them.
 *
 * @throws AppError 400 `read_only` (not one read-only SELECT, SETTINGS, file()),
 *   `query_limit_exceeded` (a cap was hit) or `query_failed` (unknown table, bad parameter, …).
 */
export async function runAnalystSql(
  ch: ClickHouse,
  q: {
    workspaceId: string;
    query: string;
    params?: Record<string, AnalystSqlParam> | undefined;
    caps?: AnalystSqlCaps;
    /** Where the workspace's views are created; default: one per process. */
    views?: AnalystViews;
  },
): Promise<AnalystSqlResult> {
  const caps = q.caps ?? ANALYST_SQL_CAPS;
  const params = q.params ?? {};
  let database = '';
  try {
    database = await (q.views ?? DEFAULT_VIEWS).ensure(ch, q.workspaceId);
    // Newlines around it: even a line comment ends before the closing parenthesis.
    const sql = `SELECT * FROM (\n${await canonical(ch, q.query)}\n)`;
    const { max_response_bytes, ...limits } = caps;
    const settings = {
      ...limits,
      // Say 'throw' rather than trust the profile: 'break' would return a silently cut result.
      read_overflow_mode: 'throw',
      result_overflow_mode: 'throw',
      timeout_overflow_mode: 'throw',
      // 26.x writes them as JSON numbers, which JSON.parse rounds beyond 2^53.
      output_format_json_quote_64bit_integers: 1,
      output_format_json_quote_decimals: 1,
      ...READ_FENCE,
      readonly: 1,
    };
    const reads = await judgeAnalystSql(ch, sql, params, settings, { database, tables: ANALYST_TABLES });
    const res = await ch.queryCompact(sql, params, settings, max_response_bytes, database);
    return {
      columns: res.meta,
      rows: res.data,
      rows_read: await ownRowsRead(ch, database, reads),
      elapsed_ms: Math.round(res.statistics.elapsed * 1e6) / 1e3,
    };
  } catch (err) {
    throw classify(
      err,
      [database, ch.database].filter((d) => d !== ''),
    );
  }
}
