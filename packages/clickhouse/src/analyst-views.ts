import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

/**
 * Analyst SQL reads a workspace's rows through views that select nothing else.
 *
 * Why views and not a filter on the query: `additional_table_filters` (what analyst SQL used
 * before) is applied after the read, so anything evaluated during the read — an explicit
 * `PREWHERE`, a `WHERE` the optimizer moves there — ran on every row of a granule, and a
 * failing cast put another workspace's value into ClickHouse's error text. A view's own
 * `PREWHERE workspace_id = '<ws>'` is the read: rows of other workspaces never leave it, so the
 * analyst's expressions, however placed, only ever see the caller's rows (ClickHouse refuses a
 * `PREWHERE` on a view, and a view has no virtual columns such as `_part_offset`). Embedded
 * chDB has no access control (`CREATE ROW POLICY` is code 497), so this is what holds there. On
 * a server the views read as their definer (the app's user), so the user analyst SQL runs as
 * needs SELECT on the views only, never on the tables behind them (docker-compose.yml grants
 * `<db>_analyst_*.*`), and per-workspace direct users keep their row policies.
 *
 * Each workspace gets a database of its own (`<db>_analyst_<hex of the id>`) holding one view
 * per analyst table under the table's own name; analyst queries run with that database as
 * their default, so `FROM events` is the workspace's view. `conversations` is read `FINAL`
 * inside its view: one row per conversation, the latest version (FINAL on a view is ignored,
 * so an analyst's own `FINAL` could not do it).
 */

/** The tables analysts read, each as a view of the caller's rows under the same name. */
export const ANALYST_TABLES: readonly string[] = [
  TABLES.events,
  TABLES.feedbackChanges,
  TABLES.feedback15m,
  TABLES.conversations,
];

/** Read FINAL inside the view: one row per key, the latest version. */
const FINAL_TABLES: ReadonlySet<string> = new Set([TABLES.conversations]);

const WORKSPACE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkedWorkspace(workspaceId: string): string {
  if (!WORKSPACE_ID.test(workspaceId)) throw new Error(`invalid workspace id: ${workspaceId}`);
  return workspaceId;
}

/** The database that holds `workspaceId`'s analyst views (hex keeps any id a plain identifier). */
export function analystDatabase(database: string, workspaceId: string): string {
  return `${database}_analyst_${Buffer.from(checkedWorkspace(workspaceId), 'utf8').toString('hex')}`;
}

/**
 * The DDL that (re)creates a workspace's views. `CREATE OR REPLACE` so a view follows columns a
 * migration added to its table (a view's columns are fixed when it is created). The workspace id
 * is checked against the id pattern (letters, digits, `_`, `-`), so as a literal it cannot end early.
 */
export function analystViewStatements(database: string, workspaceId: string, cluster?: string): string[] {
  const ws = checkedWorkspace(workspaceId);
  const db = analystDatabase(database, ws);
  const on = cluster ? ` ON CLUSTER ${cluster}` : '';
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}${on}`,
    ...ANALYST_TABLES.map(
      (t) =>
        `CREATE OR REPLACE VIEW ${db}.${t}${on} DEFINER = CURRENT_USER SQL SECURITY DEFINER ` +
        `AS SELECT * FROM ${database}.${t}` +
        `${FINAL_TABLES.has(t) ? ' FINAL' : ''} PREWHERE workspace_id = '${ws}'`,
    ),
  ];
}

/** Workspaces whose views this process keeps at most (an id past it is created again, harmlessly). */
const MAX_KNOWN = 10_000;

/**
 * Creates each workspace's views once per process, on its first analyst query. Concurrent
 * first queries of one workspace share one creation.
 */
export class AnalystViews {
  private readonly known = new Map<string, Promise<string>>();

  /** The workspace's analyst database, its views created if this process has not yet done so. */
  ensure(ch: ClickHouse, workspaceId: string): Promise<string> {
    const found = this.known.get(workspaceId);
    if (found) return found;
    const created = (async () => {
      for (const sql of analystViewStatements(ch.database, workspaceId, ch.cluster)) await ch.command(sql);
      return analystDatabase(ch.database, workspaceId);
    })();
    if (this.known.size >= MAX_KNOWN) this.known.clear();
    this.known.set(workspaceId, created);
    // A failed creation is tried again by the next query.
    created.catch(() => this.known.delete(workspaceId));
    return created;
  }
}
