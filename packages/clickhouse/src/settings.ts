/**
 * ClickHouse settings scoped to one statement.
 *
 * Why not `clickhouse_settings`: with the embedded engine (chdb/connection) per-call
 * settings become session `SET`s that stay for every later call (an insert's dedup
 * token silently drops the next insert; a `readonly` query breaks later inserts).
 * A `SETTINGS` clause is part of the statement and ends with it, on both engines.
 */
export type Settings = Record<string, string | number | boolean>;

const NAME = /^[a-z_][a-z0-9_]*$/;

function literal(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`setting value must be finite: ${value}`);
    return String(value);
  }
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Renders `SETTINGS a = 1, b = 'x'`, or '' when there is nothing to set. */
export function settingsClause(settings: Settings | undefined): string {
  if (!settings) return '';
  const parts = Object.entries(settings).map(([name, value]) => {
    if (!NAME.test(name)) throw new Error(`invalid setting name: ${JSON.stringify(name)}`);
    return `${name} = ${literal(value)}`;
  });
  return parts.length === 0 ? '' : `SETTINGS ${parts.join(', ')}`;
}
