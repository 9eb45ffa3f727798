import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';
import { toDateTime64 } from './batch.repo.ts';
import { clusterBootstrap, clusterMigrations } from './cluster-ddl.ts';
import type { Migration } from './migration.ts';

/** The repository's clickhouse/ folder. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../clickhouse/', import.meta.url));

export type { Migration } from './migration.ts';

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Splits a migration into statements: each ends with `;` at the end of a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

/** Reads NNNN_name.sql files in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((file) => {
      const [, version, name] = FILE.exec(file) as RegExpExecArray;
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(version),
        name: name as string,
        checksum: createHash('sha256').update(sql).digest('hex'),
        statements: splitStatements(sql),
      };
    });
}

/**
 * Applies the migrations not yet recorded, in order, and records each one.
 * Every statement is idempotent (IF NOT EXISTS), so two processes migrating at once,
 * or a crash between a statement and its record, only repeat harmless work.
 * An applied migration whose file changed is refused: migrations are append-only.
 * With `cluster`, the same files run as cluster DDL (cluster-ddl.ts: Replicated local tables,
 * Distributed tables, ON CLUSTER) and the records are replicated to every node; versions and
 * checksums are those of the files either way.
 * Returns the versions applied by this call.
 */
export async function migrate(
  ch: ClickHouse,
  migrations: Migration[] = loadMigrations(),
  options: { cluster?: string | undefined } = {},
): Promise<number[]> {
  if (options.cluster) {
    const target = { cluster: options.cluster, database: ch.database };
    for (const statement of clusterBootstrap(target, TABLES.migrations)) await ch.command(statement);
    migrations = clusterMigrations(migrations, target);
  } else {
    await ch.command(
      `CREATE TABLE IF NOT EXISTS ${TABLES.migrations} (
       version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC')
     ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
    );
  }
  const applied = new Map(
    (
      await ch.query<{ version: number; checksum: string }>(
        `SELECT version, argMax(checksum, applied_at) AS checksum FROM ${TABLES.migrations} GROUP BY version`,
      )
    ).map((r) => [Number(r.version), r.checksum]),
  );
  const done: number[] = [];
  for (const m of migrations) {
    const seen = applied.get(m.version);
    if (seen !== undefined) {
      if (seen !== m.checksum) {
        throw new Error(`migration ${m.version}_${m.name} changed after it was applied; add a new migration instead`);
      }
      continue;
    }
    for (const statement of m.statements) await ch.command(statement);
    await ch.insert(
      TABLES.migrations,
      [{ version: m.version, name: m.name, checksum: m.checksum, applied_at: toDateTime64(Date.now()) }],
      { insert_deduplication_token: `migration:${m.version}:${process.pid}:${Date.now()}` },
    );
    done.push(m.version);
  }
  return done;
}

/** True when every migration on disk is recorded as applied (for /readyz). */
export async function migrationsApplied(ch: ClickHouse, migrations: Migration[] = loadMigrations()): Promise<boolean> {
  const rows = await ch.query<{ version: number }>(`SELECT DISTINCT version FROM ${TABLES.migrations}`);
  const have = new Set(rows.map((r) => Number(r.version)));
  return migrations.every((m) => have.has(m.version));
}
