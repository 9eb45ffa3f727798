// Regression tests for the chDB settings pitfall (ARCHITECTURE.md): per-call settings
// must never outlive their statement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv('settings');
  await env.ch.command(
    'CREATE TABLE leak (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100',
  );
});
afterAll(() => env.cleanup());

const count = async () => Number((await env.ch.query<{ n: string }>('SELECT count() AS n FROM leak'))[0]?.n);
const changed = async (name: string) =>
  (await env.ch.query<{ value: string }>('SELECT value FROM system.settings WHERE name = {name:String}', { name }))[0]
    ?.value;

describe('statement-scoped ClickHouse settings', () => {
  it('a dedup token does not swallow the next insert', async () => {
    await env.ch.insert('leak', [{ id: 1 }], { insert_deduplication_token: 'a' });
    await env.ch.insert('leak', [{ id: 2 }], { insert_deduplication_token: 'b' });
    // Had token 'a' stuck to the session, this insert would be silently dropped as a duplicate of 'a'.
    await env.ch.insert('leak', [{ id: 3 }]);
    expect(await count()).toBe(3);
    expect(await changed('insert_deduplication_token')).toBe('');
  });

  it('the same token really deduplicates (the test above can fail)', async () => {
    const before = await count();
    await env.ch.insert('leak', [{ id: 10 }], { insert_deduplication_token: 'same' });
    await env.ch.insert('leak', [{ id: 10 }], { insert_deduplication_token: 'same' });
    expect(await count()).toBe(before + 1);
  });

  it('a readonly query does not break later inserts', async () => {
    const rows = await env.ch.query<{ n: number }>('SELECT 1 AS n', {}, { readonly: 1, max_execution_time: 5 });
    expect(rows).toEqual([{ n: 1 }]);
    expect(await changed('readonly')).toBe('0');
    const before = await count();
    await env.ch.insert('leak', [{ id: 20 }], { insert_deduplication_token: 'after-readonly' });
    expect(await count()).toBe(before + 1);
  });

  it('readonly in the statement really refuses writes (the test above can fail)', async () => {
    await expect(env.ch.command('INSERT INTO leak SELECT 99', {}, { readonly: 1 })).rejects.toThrow(/readonly/i);
  });
});
