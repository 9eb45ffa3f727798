// segmentCondition on real (embedded) ClickHouse: the contract's locale/language matching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouse, type ClickHouse } from './client.ts';
import { inSegment, language } from '@thumbline/events';
import { languageOf, segmentCondition, type Segment } from './segment.ts';

let ch: ClickHouse;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tl-segment-'));
  ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'default' });
});
afterAll(async () => {
  await ch.close();
  rmSync(dir, { recursive: true, force: true });
});

const ROWS = "('w1','de'),('w1','de-DE'),('w1','DE-at'),('w2','deu'),('w1','en-US'),('w2',''),('w1','en')";

async function matching(segment: Segment): Promise<string[]> {
  const { sql, params } = segmentCondition(segment, { widget: 'w', locale: 'l' });
  const rows = await ch.query<{ k: string }>(
    `SELECT concat(w, '/', l) AS k FROM values('w String, l String', ${ROWS}) WHERE ${sql} ORDER BY k`,
    params,
  );
  return rows.map((r) => r.k);
}

describe('segmentCondition', () => {
  it('selects everything when empty', async () => {
    expect(await matching({})).toHaveLength(7);
  });
  it('matches a language to every region of it, not to a longer subtag', async () => {
    expect(await matching({ locale: 'de' })).toEqual(['w1/DE-at', 'w1/de', 'w1/de-DE']);
    expect(await matching({ locale: 'DE' })).toEqual(['w1/DE-at', 'w1/de', 'w1/de-DE']);
  });
  it('matches a locale with a region exactly, ignoring case', async () => {
    expect(await matching({ locale: 'de-at' })).toEqual(['w1/DE-at']);
    expect(await matching({ locale: 'en-us' })).toEqual(['w1/en-US']);
  });
  it('filters by widget and combines both', async () => {
    expect(await matching({ widget_id: 'w2' })).toEqual(['w2/', 'w2/deu']);
    expect(await matching({ widget_id: 'w1', locale: 'en' })).toEqual(['w1/en', 'w1/en-US']);
  });
  it("names a locale's language", async () => {
    const rows = await ch.query<{ l: string }>(
      `SELECT ${languageOf('l')} AS l FROM values('l String', ('de-AT'), ('EN'), (''), ('zh-Hant-TW')) ORDER BY l`,
    );
    expect(rows.map((r) => r.l)).toEqual(['', 'de', 'en', 'zh']);
  });

  it('selects what the live client keeps for the same filter (inSegment, languageOf = language)', async () => {
    const rows = ROWS.slice(1, -1)
      .split('),(')
      .map((r) => r.split(',').map((v) => v.slice(1, -1)) as [string, string]);
    for (const segment of [
      { locale: 'de' },
      { locale: 'DE-at' },
      { widget_id: 'w1', locale: 'en' },
      { widget_id: 'w2' },
    ]) {
      const kept = rows.filter(([w, l]) => inSegment(segment, w, l)).map(([w, l]) => `${w}/${l}`);
      expect(kept.sort(), JSON.stringify(segment)).toEqual(await matching(segment));
    }
    const locales = ['de-AT', 'EN', '', 'zh-Hant-TW'];
    const sql = await ch.query<{ l: string }>(
      `SELECT ${languageOf('l')} AS l FROM values('l String', ${locales.map((l) => `('${l}')`).join(', ')})`,
    );
    expect(sql.map((r) => r.l)).toEqual(locales.map(language));
  });
});
