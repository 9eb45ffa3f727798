import { AppError } from '@thumbline/core';
import type { AnalystSqlParam } from './analyst-params.ts';
import type { ClickHouse } from './client.ts';
import type { Settings } from './settings.ts';

/**
 * Deny by default: what an analyst statement may reach, judged on ClickHouse's own
 * views of it, in three steps. The analyst tables are the workspace's views (analyst-views.ts)
 * in its own database, which is the statement's default database. The first two steps only
 * parse (nothing runs); the third is the analyzer's resolved query tree, which evaluates
 * constant expressions and scalar subqueries while it resolves — so it comes last, once the
 * first two have shown that everything it could evaluate reads the workspace's views only,
 * and it runs under the caps.
 *
 * 1. `EXPLAIN AST`: one SETTINGS clause only (ours), no table function, no function that
 *    reaches storage by name (dictGet, joinGet, file, …) or only describes the server
 *    (version, hostName, getSetting, …), and every qualified table name (FROM/JOIN, right
 *    side of IN) is `<views db>.<analyst table>` — so `system.one` and the real tables
 *    (`<db>.events`) are refused even though a SELECT without FROM reads `system.one`.
 * 2. `EXPLAIN QUERY TREE run_passes = 0` (the analyzer's unresolved tree): no PREWHERE,
 *    and every name in a table position — JOIN TREE, a JOIN side, the right side of any
 *    IN — is an analyst table or a CTE declared in an enclosing scope (the AST does not
 *    print CTE names).
 * 3. `EXPLAIN QUERY TREE` (resolved): every TABLE the analyzer resolved, wherever it sits
 *    (FROM, JOIN, IN, EXISTS, scalar subquery, CTE), is one of the workspace's views — or
 *    the implicit `system.one` of a SELECT without FROM — and there is no TABLE_FUNCTION
 *    and no function from the lists below.
 */

/** Functions that read a dictionary, a Join table, a host file or server internals by name. */
const STORAGE_FUNCTIONS = new Set(
  [
    'file',
    'hasColumnInTable',
    'joinGet',
    'joinGetOrNull',
    'catboostEvaluate',
    'modelEvaluate',
    'naiveBayesClassifier',
    'getServerSetting',
    'getMergeTreeSetting',
    'showCertificate',
    'getMacro',
    'getClientHTTPHeader',
    'globalVariable',
    'generateSerialID',
  ].map((f) => f.toLowerCase()),
);
/** Families: dict* (every dictionary function), region* (embedded geo dictionaries), filesystem*. */
const STORAGE_PREFIXES = ['dict', 'region', 'filesystem'];

/**
 * Functions whose only use to an analyst is to learn about the server, its build, its host,
 * its settings, its users or other queries: nothing of a workspace's data needs them.
 */
const SERVER_FUNCTIONS = new Set(
  [
    'version',
    'revision',
    'buildId',
    'uptime',
    'hostName',
    'fqdn',
    'fullHostName',
    'displayName',
    'serverUUID',
    'getOSKernelVersion',
    'tcpPort',
    'getServerPort',
    'getSetting',
    'getSettingOrDefault',
    'logTrace',
    'currentUser',
    'current_user',
    'user',
    'authenticatedUser',
    'currentDatabase',
    'current_database',
    'database',
    'currentSchemas',
    'current_schemas',
    'schema',
    'currentProfiles',
    'enabledProfiles',
    'defaultProfiles',
    'currentRoles',
    'current_role',
    'enabledRoles',
    'defaultRoles',
    'queryID',
    'query_id',
    'initialQueryID',
    'initial_query_id',
    'initialQueryStartTime',
    'initial_query_start_time',
    'connectionId',
    'connection_id',
    'serverTimezone',
    'serverTimeZone',
    'zookeeperSessionUptime',
    'shardNum',
    'shardCount',
    'transactionID',
    'transactionLatestSnapshot',
    'transactionOldestSnapshot',
    'generateSnowflakeID',
    'addressToLine',
    'addressToLineWithInlines',
    'addressToSymbol',
    'demangle',
  ].map((f) => f.toLowerCase()),
);

const IN_FUNCTIONS = new Set(
  ['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'notNullIn', 'globalNullIn', 'globalNotNullIn'].map((f) =>
    f.toLowerCase(),
  ),
);

/** Why `name` may not be called, or null when it may. */
function deniedFunction(name: string): string | null {
  const lower = name.toLowerCase();
  if (STORAGE_FUNCTIONS.has(lower) || STORAGE_PREFIXES.some((p) => lower.startsWith(p))) {
    return `${name}() is not allowed: it reads storage by name`;
  }
  if (SERVER_FUNCTIONS.has(lower)) return `${name}() is not allowed: it describes the server, not your data`;
  return null;
}

interface Node {
  text: string;
  parent: Node | null;
  children: Node[];
}

/** EXPLAIN prints one node a line, children indented under their parent. */
function parseIndented(lines: readonly string[]): Node[] {
  const roots: Node[] = [];
  const stack: { indent: number; node: Node }[] = [];
  for (const line of lines) {
    const text = line.trim();
    if (text === '') continue;
    const indent = line.length - line.trimStart().length;
    while (stack.length > 0 && (stack.at(-1)?.indent ?? 0) >= indent) stack.pop();
    const parent = stack.at(-1)?.node ?? null;
    const node: Node = { text, parent, children: [] };
    (parent ? parent.children : roots).push(node);
    stack.push({ indent, node });
  }
  return roots;
}

function* walk(nodes: readonly Node[]): Generator<Node> {
  for (const node of nodes) {
    yield node;
    yield* walk(node.children);
  }
}

/** `key: value` of a query-tree line such as `TABLE id: 5, alias: __table1, table_name: system.one`. */
function field(text: string, key: string): string | undefined {
  const at = text.indexOf(`${key}: `);
  if (at < 0) return undefined;
  const rest = text.slice(at + key.length + 2);
  const comma = rest.indexOf(', ');
  return comma < 0 ? rest : rest.slice(0, comma);
}

function refuse(message: string): never {
  throw new AppError('read_only', 400, message);
}

function notAllowed(name: string, tables: readonly string[]): never {
  return refuse(`${name}: not allowed; analysts can read only the tables ${tables.join(', ')}`);
}

async function explain(
  ch: ClickHouse,
  sql: string,
  params: Record<string, AnalystSqlParam>,
  settings: Settings,
  database: string,
): Promise<string[]> {
  // One JSONCompact row per line of EXPLAIN: no text of the statement can pose as a line.
  // (As a subquery, EXPLAIN is the viewExplain table function, which readonly = 1 refuses.)
  const res = await ch.queryCompact(sql, params, settings, undefined, database);
  return res.data.map((row) => String(row[0]));
}

/** Step 1: the parser's AST. */
function judgeAst(lines: readonly string[], qualified: ReadonlySet<string>, tables: readonly string[]): void {
  const nodes = [...walk(parseIndented(lines))];
  // A SETTINGS clause in a subquery overrides the caps of the outer statement despite
  // readonly = 1 (verified: max_execution_time 5 became 1000). One Set is our own clause.
  const sets = nodes.filter((node) => node.text === 'Set').length;
  if (sets === 0) throw new Error('EXPLAIN AST did not show its own SETTINGS clause');
  if (sets > 1) refuse('SETTINGS clauses are not allowed: the caps are fixed');
  for (const node of nodes) {
    const [kind, name = ''] = node.text.split(' ', 2);
    if (kind === 'Function') {
      if (node.parent?.text.startsWith('TableExpression')) refuse(`table functions are not allowed (${name})`);
      const denied = deniedFunction(name);
      if (denied) refuse(denied);
      if (IN_FUNCTIONS.has(name.toLowerCase())) {
        const right = node.children[0]?.children[1];
        const [rightKind, rightName = ''] = right?.text.split(' ', 2) ?? [];
        if (rightKind === 'Identifier' && rightName.includes('.') && !qualified.has(rightName)) {
          notAllowed(rightName, tables);
        }
      }
    }
    if (kind === 'TableIdentifier' && name.includes('.') && !qualified.has(name)) notAllowed(name, tables);
  }
}

const TABLE_POSITIONS = new Set(['JOIN TREE', 'TABLE EXPRESSION', 'LEFT TABLE EXPRESSION', 'RIGHT TABLE EXPRESSION']);

/** CTE names declared by the WITH of `scope` (a QUERY or UNION node). */
function cteNames(scope: Node): string[] {
  const list = scope.children.find((c) => c.text === 'WITH')?.children[0];
  return (list?.children ?? []).map((c) => field(c.text, 'cte_name')).filter((n): n is string => n !== undefined);
}

/** Table functions, and functions that read storage by name, are refused wherever they appear (steps 2 and 3). */
function refuseStorageCalls(node: Node): void {
  if (node.text.startsWith('TABLE_FUNCTION '))
    refuse(`table functions are not allowed (${field(node.text, 'table_function_name')})`);
  if (node.text.startsWith('FUNCTION ')) {
    const denied = deniedFunction(field(node.text, 'function_name') ?? '');
    if (denied) refuse(denied);
  }
}

/** Step 2: the analyzer's tree before resolution: names in table positions, with CTE scopes. */
function judgeUnresolved(lines: readonly string[], allowed: ReadonlySet<string>, tables: readonly string[]): void {
  for (const node of walk(parseIndented(lines))) {
    refuseStorageCalls(node);
    // The views refuse it too; said here in the analyst's terms.
    if (node.text === 'PREWHERE') refuse('PREWHERE is not allowed: write the condition in WHERE');
    if (!node.text.startsWith('IDENTIFIER ')) continue;
    const name = field(node.text, 'identifier') ?? '';
    const parent = node.parent;
    const call = parent?.parent?.parent; // FUNCTION > ARGUMENTS > LIST > IDENTIFIER
    const inRight =
      parent?.text.startsWith('LIST ') &&
      parent.children[1] === node &&
      parent.parent?.text === 'ARGUMENTS' &&
      call?.text.startsWith('FUNCTION ') &&
      IN_FUNCTIONS.has((field(call.text, 'function_name') ?? '').toLowerCase());
    const tablePosition = parent !== null && TABLE_POSITIONS.has(parent.text);
    if (!inRight && !tablePosition) continue;
    if (allowed.has(name)) continue;
    // A SELECT without FROM reads system.one; step 1 has refused it where it is written out.
    if (name === 'system.one' && parent?.text === 'JOIN TREE') continue;
    let visible = false;
    for (let scope = node.parent; scope && !visible; scope = scope.parent) {
      if (/^(QUERY|UNION) id:/.test(scope.text)) visible = cteNames(scope).includes(name);
    }
    if (!visible) notAllowed(name, tables);
  }
}

/** Step 3: the resolved tree: what ClickHouse will actually read. Returns each view read, once per read. */
function judgeResolved(lines: readonly string[], qualified: ReadonlySet<string>, tables: readonly string[]): string[] {
  let sawTable = false;
  const reads: string[] = [];
  for (const node of walk(parseIndented(lines))) {
    refuseStorageCalls(node);
    if (node.text.startsWith('TABLE id: ')) {
      sawTable = true;
      const name = field(node.text, 'table_name') ?? '';
      if (name === 'system.one') continue;
      if (!qualified.has(name)) notAllowed(name, tables);
      reads.push(name.slice(name.indexOf('.') + 1));
    }
  }
  if (!sawTable) throw new Error('EXPLAIN QUERY TREE showed no table: its format has changed');
  return reads;
}

/**
 * Refuses (400 `read_only`) any statement that reaches a table, view, dictionary, table
 * function or system table other than `tables` of `database` (the workspace's views),
 * wherever in the statement. `sql` must be one canonical SELECT; `settings` are the caps
 * the resolving step runs under. Returns the analyst tables the statement reads, once per
 * read (a self-join reads one twice).
 */
export async function judgeAnalystSql(
  ch: ClickHouse,
  sql: string,
  params: Record<string, AnalystSqlParam>,
  settings: Settings,
  views: { database: string; tables: readonly string[] },
): Promise<string[]> {
  const { database, tables } = views;
  const qualified = new Set(tables.map((t) => `${database}.${t}`));
  const allowed = new Set([...tables, ...qualified]);
  // readonly last: once it is set, the settings after it in the clause are refused.
  const parseOnly = { max_execution_time: 5, readonly: 1 };
  judgeAst(await explain(ch, `EXPLAIN AST ${sql}`, params, parseOnly, database), qualified, tables);
  judgeUnresolved(
    await explain(ch, `EXPLAIN QUERY TREE run_passes = 0 ${sql}`, params, parseOnly, database),
    allowed,
    tables,
  );
  return judgeResolved(await explain(ch, `EXPLAIN QUERY TREE ${sql}`, params, settings, database), qualified, tables);
}
