/**
 * Analyst `{name:Type}` parameters bound by a `SET param_<name> = '…'` statement on the
 * analyst's own embedded connection instead of chDB's native binding.
 *
 * Why: chDB's npm binding runs every natively bound query through one process-wide promise
 * chain (its `globalParamChain`), so one analyst query that runs into its time cap held every
 * dashboard query for the whole cap (measured: an overview took 9.6 s instead of 8 ms).
 * Queries without native parameters do not join that chain. A `SET param_…` is part of the
 * connection's own session, which no other connection sees (verified on 26.7), and the
 * analyst's connection lives for one query only.
 */

/** A `{name:Type}` parameter value; an array binds to Array(T), null to Nullable(T). */
export type AnalystSqlParam = string | number | boolean | null | readonly (string | number | boolean | null)[];

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Escapes inside a quoted SQL string literal: only `\` and `'` can end it early. */
function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Backslash escapes of ClickHouse's Escaped (TSV) text, which parameter values are parsed as. */
const TSV: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function element(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  return scalar(value);
}

function scalar(value: number | boolean): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new Error(`parameter value must be finite: ${value}`);
  return String(value);
}

/** The text ClickHouse parses a parameter of the value's type from (what HTTP `param_x=` carries). */
export function paramText(value: AnalystSqlParam): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return value.replace(/[\\\0\b\f\n\r\t]/g, (c) => TSV[c] ?? c);
  if (Array.isArray(value)) return `[${value.map(element).join(',')}]`;
  return scalar(value as number | boolean);
}

/** One `SET param_a = '…', param_b = '…'` statement, or null when there are no parameters. */
export function setParamsStatement(params: Readonly<Record<string, AnalystSqlParam>>): string | null {
  const entries = Object.entries(params);
  if (entries.length === 0) return null;
  const parts = entries.map(([name, value]) => {
    if (!NAME.test(name)) throw new Error(`invalid parameter name: ${JSON.stringify(name)}`);
    return `param_${name} = ${sqlString(paramText(value))}`;
  });
  return `SET ${parts.join(', ')}`;
}
