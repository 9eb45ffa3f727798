import { ANALYST_SQL_CAPS } from './analyst-sql.repo.ts';
import { ANALYST_TABLES } from './analyst-views.ts';

/** What `analysts create` needs to know. */
export interface AnalystUserSpec {
  database: string;
  workspaceId: string;
  password: string;
  /**
   * The users Thumbline itself connects as (CLICKHOUSE_USER, and CLICKHOUSE_SQL_USER when set):
   * they keep reading every row once row policies exist (analyst SQL filters by workspace itself).
   */
  appUsers: readonly string[];
  /** Where the analyst may connect from, as CIDR (`HOST IP`); default: this host only (`HOST LOCAL`). */
  hostIp?: string | undefined;
}

const WORKSPACE = /^[A-Za-z0-9_-]{1,64}$/;
const DATABASE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CIDR = /^[0-9A-Fa-f:.]+(\/\d{1,3})?$/;

/** Backquoted identifier; the callers' values are checked, the quoting is for `-` in workspace ids. */
const ident = (name: string) => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
/** Quoted string literal: only `\` and `'` can end it early. */
const str = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The ClickHouse user name of a workspace's analysts. */
export function analystUserName(workspaceId: string): string {
  return `analyst_${workspaceId}`;
}

/**
 * The statements that give one workspace's analysts a read-only ClickHouse user: SELECT on
 * the analyst tables only, a row policy per table (`workspace_id = '<ws>'`), and a settings
 * profile with the same caps as POST /v1/sql, fixed (CONST, readonly = 1) and with at most
 * 2 queries at a time. Access control, not Thumbline, then enforces all of it — including
 * against table functions and file(), which need grants this user does not have.
 *
 * ClickHouse row policies: once any policy exists on a table, a user that no policy names
 * sees no rows of it, so the app's users get a permissive `USING 1` policy first.
 */
export function analystUserStatements(spec: AnalystUserSpec): string[] {
  if (!WORKSPACE.test(spec.workspaceId)) throw new Error(`invalid workspace id: ${spec.workspaceId}`);
  if (!DATABASE.test(spec.database)) throw new Error(`invalid database name: ${spec.database}`);
  if (spec.hostIp !== undefined && !CIDR.test(spec.hostIp)) throw new Error(`invalid --host-ip: ${spec.hostIp}`);
  if (spec.password.length < 16) throw new Error('the password must have at least 16 characters');
  if (spec.appUsers.length === 0) throw new Error("the app's ClickHouse user is needed");
  const user = ident(analystUserName(spec.workspaceId));
  const profile = ident(`${analystUserName(spec.workspaceId)}_caps`);
  const tables = ANALYST_TABLES.map((t) => `${ident(spec.database)}.${ident(t)}`);
  const caps = ANALYST_SQL_CAPS;
  const settings = [
    `max_execution_time = ${caps.max_execution_time} CONST`,
    `max_memory_usage = ${caps.max_memory_usage} CONST`,
    `max_rows_to_read = ${caps.max_rows_to_read} CONST`,
    `max_result_rows = ${caps.max_result_rows} CONST`,
    `max_result_bytes = ${caps.max_result_bytes} CONST`,
    `max_threads = ${caps.max_threads} CONST`,
    `read_overflow_mode = 'throw' CONST`,
    `result_overflow_mode = 'throw' CONST`,
    `timeout_overflow_mode = 'throw' CONST`,
    'max_concurrent_queries_for_user = 2 CONST',
    'readonly = 1',
  ];
  const host = spec.hostIp === undefined ? 'HOST LOCAL' : `HOST IP ${str(spec.hostIp)}`;
  return [
    `CREATE SETTINGS PROFILE IF NOT EXISTS ${profile} SETTINGS ${settings.join(', ')}`,
    `CREATE USER IF NOT EXISTS ${user} IDENTIFIED WITH sha256_password BY ${str(spec.password)} ${host} ` +
      `DEFAULT DATABASE ${ident(spec.database)} SETTINGS PROFILE ${profile}`,
    ...tables.map((t) => `GRANT SELECT ON ${t} TO ${user}`),
    `CREATE ROW POLICY IF NOT EXISTS ${ident('thumbline_app')} ON ${tables.join(', ')} ` +
      `AS PERMISSIVE FOR SELECT USING 1 TO ${spec.appUsers.map(ident).join(', ')}`,
    `CREATE ROW POLICY IF NOT EXISTS ${ident(`${analystUserName(spec.workspaceId)}_rows`)} ON ${tables.join(', ')} ` +
      `AS PERMISSIVE FOR SELECT USING workspace_id = ${str(spec.workspaceId)} TO ${user}`,
  ];
}
