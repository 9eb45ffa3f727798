// The embedded engine's connections: each runs one statement at a time, so the client keeps
// several and gives each call the least busy one (client.ts ClientPool).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouse, type ClickHouse } from './client.ts';

let ch: ClickHouse;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tl-pool-'));
  ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'pool_test', connections: 3 });
});
afterAll(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('embedded connections', () => {
  it('answers a short query while a long one runs (one connection would hold it behind)', async () => {
    const finished: string[] = [];
    const long = ch.query('SELECT sleep(1.5) AS s').then(() => finished.push('long'));
    const short = ch.query('SELECT 1 AS one').then(() => finished.push('short'));
    await Promise.all([long, short]);
    expect(finished).toEqual(['short', 'long']);
  });

  it('gives every connection the configured database for unqualified names', async () => {
    await ch.command('CREATE TABLE IF NOT EXISTS t (n UInt32) ENGINE = MergeTree ORDER BY n');
    // Concurrent calls spread over every connection.
    await Promise.all(
      Array.from({ length: 9 }, (_, i) => ch.insert('t', [{ n: i }], { insert_deduplication_token: `t-${i}` })),
    );
    const counts = await Promise.all(
      Array.from({ length: 6 }, () => ch.query<{ c: string }>('SELECT count() AS c FROM t')),
    );
    expect(counts.map((rows) => Number(rows[0]?.c))).toEqual([9, 9, 9, 9, 9, 9]);
  });
});
