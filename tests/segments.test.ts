// Segments, rating prompts and the export (CONTRACT §9) through ingest, the worker's batch step
// and the API, on real Redis and ClickHouse: filters, the breakdown, response rate, query
// errors, and the export's format, paging and laziness.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { newToken } from '@thumbline/redis';
import type { Breakdown, Overview } from '@thumbline/events';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { drain } from './support/pipeline.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = '2026-11-24';
const H = 3_600_000;
let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let ingest: ReturnType<typeof createIngestApp>;
const pk = newToken('public');
const dt = newToken('dashboard');

beforeAll(async () => {
  env = await openTestEnv('segments');
  api = createApiApp(env);
  ingest = createIngestApp({ ...env, now: () => NOW });
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(pk, { workspace_id: 'w', kind: 'public' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
});
afterAll(() => env.cleanup());

async function send(events: object[]): Promise<void> {
  for (let i = 0; i < events.length; i += 500) {
    const res = await ingest.request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(i, i + 500).map((e) => ({ event_id: randomUUID(), ...e })) }),
    });
    expect(res.status, await res.clone().text()).toBe(202);
    expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([]);
  }
  await drain(env);
}

const get = (path: string) => api.request(path, { headers: { authorization: `Bearer ${dt}` } });
const json = async <T>(path: string): Promise<T> => {
  const res = await get(path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as T;
};

describe('segments and the response rate', () => {
  beforeAll(async () => {
    const at = (h: number) => NOW - h * H;
    await send([
      // de-DE on widget a: prompted and rated 2; a thumb down that later flips to up in en on widget b.
      { type: 'conversation.csat_prompted', conversation_id: 's1', ts: at(5), widget_id: 'a', locale: 'de-DE' },
      { type: 'conversation.csat', conversation_id: 's1', ts: at(4), widget_id: 'a', locale: 'de-DE', score: 2 },
      {
        type: 'message.feedback',
        conversation_id: 's1',
        message_id: 'm1',
        thumb: 'down',
        ts: at(5),
        widget_id: 'a',
        locale: 'de-DE',
      },
      // de-AT on widget a: prompted, never rated.
      { type: 'conversation.csat_prompted', conversation_id: 's2', ts: at(5), widget_id: 'a', locale: 'de-AT' },
      // en on widget b: rated 5, never prompted; a second, later prompt of s1 does not count.
      { type: 'conversation.csat', conversation_id: 's3', ts: at(3), widget_id: 'b', locale: 'en', thumb: 'up' },
      { type: 'conversation.csat_prompted', conversation_id: 's1', ts: at(2), widget_id: 'b', locale: 'en' },
    ]);
    await send([
      {
        type: 'message.feedback',
        conversation_id: 's1',
        message_id: 'm1',
        thumb: 'up',
        ts: at(1),
        widget_id: 'b',
        locale: 'en',
      },
    ]);
  });

  it('counts a thumb, a rating and a first prompt in their own events segments', async () => {
    const all = await json<Overview>(`/v1/analytics/overview?from=${DAY}&to=${DAY}`);
    expect(all.csat).toMatchObject({ rated: 2, average: 3.5, prompted: 2, response_rate: 0.5 });
    expect(all.thumbs).toMatchObject({ up: 1, down: 0 });
    const de = await json<Overview>(`/v1/analytics/overview?from=${DAY}&to=${DAY}&locale=de`);
    expect(de.csat).toMatchObject({ rated: 1, average: 2, prompted: 2, response_rate: 0.5 });
    // The thumb down left de-DE when it flipped to up in en.
    expect(de.thumbs).toMatchObject({ up: 0, down: 0 });
    const deAt = await json<Overview>(`/v1/analytics/overview?from=${DAY}&to=${DAY}&locale=DE-at`);
    expect(deAt.csat).toMatchObject({ rated: 0, prompted: 1, response_rate: 0 });
    const b = await json<Overview>(`/v1/analytics/overview?from=${DAY}&to=${DAY}&widget_id=b`);
    expect(b.csat).toMatchObject({ rated: 1, average: 5, prompted: 0, response_rate: null });
    expect(b.thumbs).toMatchObject({ up: 1, down: 0 });
  });

  it('breaks down by widget, locale and language, most rated + thumbs first', async () => {
    const byLanguage = await json<Breakdown>(`/v1/analytics/breakdown?from=${DAY}&to=${DAY}&by=language`);
    expect(byLanguage.items).toEqual([
      {
        key: 'en',
        csat: { average: 5, rated: 1 },
        thumbs: { up: 1, down: 0, up_pct: 100, down_pct: 0 },
        prompted: 0,
        response_rate: null,
      },
      {
        key: 'de',
        csat: { average: 2, rated: 1 },
        thumbs: { up: 0, down: 0, up_pct: null, down_pct: null },
        prompted: 2,
        response_rate: 0.5,
      },
    ]);
    const byLocale = await json<Breakdown>(`/v1/analytics/breakdown?from=${DAY}&to=${DAY}&by=locale&widget_id=a`);
    expect(byLocale.items.map((i) => [i.key, i.csat.rated, i.prompted, i.response_rate])).toEqual([
      ['de-de', 1, 1, 1],
      ['de-at', 0, 1, 0],
    ]);
    const byWidget = await json<Breakdown>(`/v1/analytics/breakdown?by=widget_id&tz=UTC`);
    expect(byWidget).toMatchObject({ by: 'widget_id', tz: 'UTC' });
    expect(byWidget.items.map((i) => i.key)).toEqual(['b', 'a']);
  });

  it("filters the inbox by the conversation's widget and locale (its earliest event naming one)", async () => {
    const items = (q: string) =>
      json<{ items: { conversation_id: string; widget_id: string | null; locale: string | null }[] }>(
        `/v1/conversations?from=${DAY}&to=${DAY}${q}`,
      ).then((r) => r.items.map((i) => `${i.conversation_id}:${i.widget_id}:${i.locale}`).sort());
    expect(await items('')).toEqual(['s1:a:de-DE', 's2:a:de-AT', 's3:b:en']);
    expect(await items('&locale=de')).toEqual(['s1:a:de-DE', 's2:a:de-AT']);
    expect(await items('&widget_id=b')).toEqual(['s3:b:en']);
  });

  it('answers 400 invalid_query naming the field for a bad widget, locale or breakdown key', async () => {
    for (const [path, field] of [
      [`/v1/analytics/overview?widget_id=${'x'.repeat(65)}`, 'widget_id'],
      ['/v1/analytics/overview?widget_id=', 'widget_id'],
      ['/v1/analytics/overview?locale=not%20a%20locale', 'locale'],
      [`/v1/analytics/breakdown?by=widget_id&locale=${'a'.repeat(36)}`, 'locale'],
      ['/v1/analytics/breakdown?by=country', 'by'],
      ['/v1/analytics/breakdown', 'by'],
      ['/v1/conversations?locale=de_DE', 'locale'],
      ['/v1/conversations/export?widget_id=', 'widget_id'],
      ['/v1/conversations/export?format=xlsx', 'format'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, path).toBe('invalid_query');
      expect(body.error.message, path).toMatch(new RegExp(`^${field}: `));
    }
  });
});

describe('GET /v1/conversations/export', () => {
  const N = 2345;
  beforeAll(async () => {
    const events: object[] = [];
    for (let i = 0; i < N; i++) {
      events.push({
        type: 'conversation.started',
        conversation_id: `x${String(i).padStart(5, '0')}`,
        ts: NOW - 10 * H - i * 1000,
        widget_id: 'bulk',
      });
    }
    events.push(
      { type: 'conversation.started', conversation_id: 'q,"1"', ts: NOW - 9 * H, widget_id: 'bulk', locale: 'fr-FR' },
      {
        type: 'conversation.csat',
        conversation_id: 'q,"1"',
        ts: NOW - 9 * H,
        score: 1,
        reason: '=HYPERLINK("http://evil","x")\r\nline 2',
      },
    );
    await send(events);
  });

  it('streams every matching conversation as RFC 4180 CSV, newest first, past any page size', async () => {
    const res = await get(`/v1/conversations/export?from=${DAY}&to=${DAY}&widget_id=bulk`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="conversations-2026-11-24-2026-11-24\.csv"$/,
    );
    const text = await res.text();
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, first, ...rest] = text.slice(0, -2).split(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    expect(header).toBe(
      'conversation_id,started_at,satisfaction,score,negative_reason,thumbs_up,thumbs_down,widget_id,locale',
    );
    // Every value quoted, quotes doubled, a comma and a line break inside quotes, the formula neutralised.
    expect(first).toBe(
      `"q,""1""","2026-11-24T03:00:00.000Z","negative","1","'=HYPERLINK(""http://evil"",""x"")\r\nline 2","0","0","bulk","fr-FR"`,
    );
    expect(rest).toHaveLength(N);
    const ids = rest.map((r) => r.split(',')[0]?.slice(1, -1));
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => `x${String(i).padStart(5, '0')}`));
    expect(rest[0]).toBe('"x00000","2026-11-24T02:00:00.000Z","unknown",,,"0","0","bulk",');
  });

  it('starts no cell with a formula, whether a spreadsheet splits on commas or semicolons', async () => {
    // Values a shopper with the public key can send, each hidden behind what a spreadsheet skips
    // (spaces, NBSP, zero-width space, vertical tab, a quote) or after a separator inside the value.
    const reasons = [
      '＝1+1',
      ' =1',
      '\u00a0=1',
      '\u200b=1',
      '\v=1',
      '\t=1',
      'ok;-2',
      'ok; @SUM(A1)',
      'a,+1',
      'x\n=1',
      'y;"=1',
      'z;\u00a0＠x',
      '﹦1',
    ];
    const hostile = 'w;=1';
    await send(
      reasons.flatMap((reason, i) => [
        { type: 'conversation.started', conversation_id: `f;=${i}`, ts: NOW - 8 * H, widget_id: hostile },
        { type: 'conversation.csat', conversation_id: `f;=${i}`, ts: NOW - 8 * H, score: 1, reason },
      ]),
    );
    const res = await get(`/v1/conversations/export?from=${DAY}&to=${DAY}&widget_id=${encodeURIComponent(hostile)}`);
    expect(res.status).toBe(200);
    const text = await res.text();

    // RFC 4180 with the contract's header; every value quoted, the formula start neutralised with '.
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(EXPORT_HEADER.split(','));
    expect(rows).toHaveLength(reasons.length);
    for (const row of rows) {
      expect(row).toHaveLength(9);
      expect(row[7]).toBe("w;'=1");
    }
    const records = text.slice(0, -2).split(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/);
    for (const record of records.slice(1)) {
      for (const field of record.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
        if (field !== '') expect(field, record).toMatch(/^"[\s\S]*"$/);
      }
    }

    // A spreadsheet that splits on either separator (or on a line break inside quotes) starts a
    // cell after any of them: no such cell may start a formula once what it skips is skipped.
    for (const separator of [',', ';']) {
      for (const cell of text.split(new RegExp(`${separator}|\\r\\n|\\r|\\n`))) {
        expect(startsFormula(cell), `${JSON.stringify(cell)} split on ${separator}`).toBe(false);
      }
    }
  });

  it('writes NDJSON with the same fields, and applies the feedback filter', async () => {
    const res = await get(`/v1/conversations/export?format=ndjson&feedback=downvote&widget_id=bulk`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l) as object)).toEqual([
      {
        conversation_id: 'q,"1"',
        started_at: '2026-11-24T03:00:00.000Z',
        satisfaction: 'negative',
        score: 1,
        negative_reason: '=HYPERLINK("http://evil","x")\r\nline 2',
        thumbs_up: 0,
        thumbs_down: 0,
        widget_id: 'bulk',
        locale: 'fr-FR',
      },
    ]);
  });

  it('reads the next page only when the client takes the body (backpressure)', async () => {
    let queries = 0;
    const counted = Object.create(env.ch, {
      query: { value: (...args: Parameters<TestEnv['ch']['query']>) => (queries++, env.ch.query(...args)) },
    }) as TestEnv['ch'];
    const lazy = createApiApp({ ...env, ch: counted });
    const res = await lazy.request(`/v1/conversations/export?widget_id=bulk&from=${DAY}&to=${DAY}`, {
      headers: { authorization: `Bearer ${dt}` },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const afterFirst = queries;
    await new Promise((r) => setTimeout(r, 300));
    // Nothing more is read while the client waits: one page (its two queries) at most ahead.
    expect(queries - afterFirst).toBeLessThanOrEqual(2);
    let chunks = 1;
    while (!(await reader.read()).done) chunks++;
    expect(chunks).toBe(Math.ceil((N + 1) / 1000));
    expect(queries).toBeGreaterThan(afterFirst + 2);
  });
});

const EXPORT_HEADER =
  'conversation_id,started_at,satisfaction,score,negative_reason,thumbs_up,thumbs_down,widget_id,locale';

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (record.push(field), (field = ''));
    else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      ((record = []), (field = ''), i++);
    } else field += ch;
  }
  expect(field === '' && record.length === 0, 'ends with CRLF').toBe(true);
  return records;
}

/**
 * True when a cell would run as a formula: it starts with a tab or CR, or its first character
 * after quotes, whitespace and zero-width characters is = + - @ or a compatibility form of one
 * (full-width ＝, small ﹦, …).
 */
function startsFormula(cell: string): boolean {
  if (/^[\t\r]/.test(cell)) return true;
  const visible = cell.replace(/^["\s\u200b-\u200d\u2060\ufeff]+/, '');
  return /^[=+\-@]/.test(visible.slice(0, 1).normalize('NFKC'));
}
