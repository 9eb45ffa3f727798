// The migration runner: idempotent, safe concurrently, append-only.
import { writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, migrationsApplied } from '@thumbline/clickhouse';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv('migrations'); // already migrated once
});
afterAll(() => env.cleanup());

describe('migrate', () => {
  it('applies nothing the second time, and concurrent runs do not fail', async () => {
    expect(await migrate(env.ch)).toEqual([]);
    await Promise.all([migrate(env.ch), migrate(env.ch)]);
    expect(await migrationsApplied(env.ch)).toBe(true);
    const tables = await env.ch.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name',
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['events', 'feedback_changes', 'feedback_15m', 'feedback_15m_mv', 'conversations']),
    );
  });

  it('applies a new file once and refuses an applied file that changed', async () => {
    const dir = join(env.dir, 'migrations');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, '0099_extra.sql');
    writeFileSync(file, '-- extra\nCREATE TABLE IF NOT EXISTS extra (x UInt8) ENGINE = MergeTree ORDER BY x;\n');
    const migrations = [...loadMigrations(), ...loadMigrations(dir)];
    expect(await migrate(env.ch, migrations)).toEqual([99]);
    expect(await migrate(env.ch, migrations)).toEqual([]);
    writeFileSync(
      file,
      '-- extra, edited\nCREATE TABLE IF NOT EXISTS extra (x UInt16) ENGINE = MergeTree ORDER BY x;\n',
    );
    await expect(migrate(env.ch, [...loadMigrations(), ...loadMigrations(dir)])).rejects.toThrow(
      /changed after it was applied/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('readiness is false while a migration on disk is not applied', async () => {
    const pending = [...loadMigrations(), { version: 9999, name: 'future', checksum: 'x', statements: [] }];
    expect(await migrationsApplied(env.ch, pending)).toBe(false);
  });
});
