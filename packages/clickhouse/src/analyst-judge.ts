import { AppError } from '@thumbline/core';
import type { AnalystSqlParam } from './analyst-params.ts';
import type { ClickHouse } from './client.ts';
import type { Settings } from './settings.ts';

/**
 * Deny by default: what an analyst statement may reach, judged on ClickHouse's own
 * views of it, in three steps. The first two only parse (nothing runs); the third is the
 * analyzer's resolved query tree, which evaluates constant expressions and scalar
 * subqueries while it resolves — so it comes last, once the first two have shown that
 * everything it could evaluate reads analyst tables only, and it runs under the caps and
 * the workspace filter.
 *
 * 1. `EXPLAIN AST`: one SETTINGS clause only (ours), no table function, no function that
 *    reaches storage by name (dictGet, joinGet, file, …), and every qualified table name
 *    (FROM/JOIN, right side of IN) is `<db>.<analyst table>` — so `system.one` is refused
 *    even though an unqualified SELECT without FROM reads it implicitly.
 * 2. `EXPLAIN QUERY TREE run_passes = 0` (the analyzer's unresolved tree): every name in
 *    a table position — JOIN TREE, a JOIN side, the right side of any IN — is an analyst
 *    table or a CTE declared in an enclosing scope (the AST does not print CTE names).
 * 3. `EXPLAIN QUERY TREE` (resolved): every TABLE the analyzer resolved, wherever it sits
 *    (FROM, JOIN, IN, EXISTS, scalar subquery, CTE), is an analyst table — or the implicit
 *    `system.one` of a SELECT without FROM — and there is no TABLE_FUNCTION and no
 *    function from the list below.
 */

/** Functions that read a dictionary, a Join table, a host file or server internals by name. */
const DENIED_FUNCTIONS = new Set(
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
  ].map((f) => f.toLowerCase()),
);
/** Families: dict* (every dictionary function), region* (embedded geo dictionaries), filesystem*. */
const DENIED_PREFIXES = ['dict', 'region', 'filesystem'];

const IN_FUNCTIONS = new Set(
  ['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'notNullIn', 'globalNullIn', 'globalNotNullIn'].map((f) =>
    f.toLowerCase(),
  ),
);

function deniedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return DENIED_FUNCTIONS.has(lower) || DENIED_PREFIXES.some((p) => lower.startsWith(p));
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
): Promise<string[]> {
  // One JSONCompact row per line of EXPLAIN: no text of the statement can pose as a line.
  // (As a subquery, EXPLAIN is the viewExplain table function, which readonly = 1 refuses.)
  const res = await ch.queryCompact(sql, params, settings);
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
      if (deniedFunction(name)) refuse(`${name}() is not allowed: it reads storage by name`);
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
    const name = field(node.text, 'function_name') ?? '';
    if (deniedFunction(name)) refuse(`${name}() is not allowed: it reads storage by name`);
  }
}

/** Step 2: the analyzer's tree before resolution: names in table positions, with CTE scopes. */
function judgeUnresolved(lines: readonly string[], allowed: ReadonlySet<string>, tables: readonly string[]): void {
  for (const node of walk(parseIndented(lines))) {
    refuseStorageCalls(node);
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

/** Step 3: the resolved tree: what ClickHouse will actually read. */
function judgeResolved(lines: readonly string[], qualified: ReadonlySet<string>, tables: readonly string[]): void {
  let sawTable = false;
  for (const node of walk(parseIndented(lines))) {
    refuseStorageCalls(node);
    if (node.text.startsWith('TABLE id: ')) {
      sawTable = true;
      const name = field(node.text, 'table_name') ?? '';
      if (!qualified.has(name) && name !== 'system.one') notAllowed(name, tables);
    }
  }
  if (!sawTable) throw new Error('EXPLAIN QUERY TREE showed no table: its format has changed');
}

/**
 * Refuses (400 `read_only`) any statement that reaches a table, view, dictionary, table
 * function or system table other than `tables` of `ch.database`, wherever in the statement.
 * `sql` must be one canonical SELECT; `settings` are the caps and the workspace filter the
 * resolving step runs under.
 */
export async function judgeAnalystSql(
  ch: ClickHouse,
  sql: string,
  params: Record<string, AnalystSqlParam>,
  settings: Settings,
  tables: readonly string[],
): Promise<void> {
  const qualified = new Set(tables.map((t) => `${ch.database}.${t}`));
  const allowed = new Set([...tables, ...qualified]);
  // readonly last: once it is set, the settings after it in the clause are refused.
  const parseOnly = { max_execution_time: 5, readonly: 1 };
  judgeAst(await explain(ch, `EXPLAIN AST ${sql}`, params, parseOnly), qualified, tables);
  judgeUnresolved(await explain(ch, `EXPLAIN QUERY TREE run_passes = 0 ${sql}`, params, parseOnly), allowed, tables);
  judgeResolved(await explain(ch, `EXPLAIN QUERY TREE ${sql}`, params, settings), qualified, tables);
}
