// The cold tier's archive on real (embedded) ClickHouse: the greatest generation wins, and
// a lookup of more keys than one query takes still finds every one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouse, type ClickHouse } from './client.ts';
import { migrate } from './migrate.ts';
import { archivedStates, archiveStates } from './state-archive.repo.ts';

let ch: ClickHouse;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tl-archive-'));
  ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'archive_test' });
  await migrate(ch);
});
afterAll(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('state archive', () => {
  it('answers the greatest generation of each field, for any number of fields', async () => {
    const fields = Array.from({ length: 2500 }, (_, i) => `w:${JSON.stringify(`c-${i}`)}`);
    await archiveStates(
      ch,
      7,
      fields.map((field) => ({ kind: 'conversation' as const, field, value: 'old' })),
    );
    await archiveStates(ch, 9, [{ kind: 'conversation', field: fields[1234] as string, value: 'new' }]);
    await archiveStates(ch, 8, [{ kind: 'message', field: fields[0] as string, value: 'a message' }]);
    const found = await archivedStates(ch, 'conversation', [...fields, 'w:"never archived"']);
    expect(found.size).toBe(2500);
    expect(found.get(fields[1234] as string)).toBe('new');
    expect(found.get(fields[2499] as string)).toBe('old');
    expect(found.get(fields[0] as string)).toBe('old'); // kinds apart
    expect(found.has('w:"never archived"')).toBe(false);
  });
});
