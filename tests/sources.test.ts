// Source attribution (CONTRACT §11) through the real pipeline: sources sent on assistant
// message.created, stored by the worker, ranked by GET /v1/analytics/sources with the
// answers' current thumbs, and listed per source by its drill-down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { SourceAnswers, Sources } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { message, thumb } from './support/events.ts';
import { drain } from './support/pipeline.ts';

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
const sk = newToken('secret');
const dt = newToken('dashboard');
const NOW = Date.parse('2026-11-24T12:00:00Z');
// The workspace zone is New York: 2026-11-24T03:00Z is still Nov 23 there.
const RANGE = 'from=2026-11-20&to=2026-11-23';

type Source = { id: string; title?: string; url?: string };
const answer = (conv: string, id: string, at: string, sources: Source[]) => ({
  ...message(conv, id, 'assistant', `Answer ${id}`, at),
  sources,
});
const SHIP = { id: 'kb-ship', title: 'Shipping v1', url: 'https://help.example/ship' };
const RETURNS = { id: 'kb-returns', title: 'Returns' };

async function send(events: object[]) {
  const ingest = createIngestApp({ ...env, now: () => NOW });
  const res = await ingest.request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return res;
}

beforeAll(async () => {
  env = await openTestEnv('sources');
  await env.store.saveWorkspace({ id: 'w', tz: 'America/New_York', allowed_origins: [] });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  api = createApiApp(env);

  const first = await send([
    // kb-ship: down, down (its citation is the latest: its title wins), up → down, up (cited twice).
    answer('c1', 'a1', '2026-11-20T10:00:00Z', [SHIP, RETURNS]),
    thumb('c1', 'a1', 'down', '2026-11-20T10:01:00Z'),
    answer('c2', 'a2', '2026-11-22T10:00:00Z', [{ ...SHIP, title: 'Shipping v2' }]),
    thumb('c2', 'a2', 'down', '2026-11-22T10:01:00Z'),
    answer('c3', 'a3', '2026-11-21T10:00:00Z', [SHIP]),
    thumb('c3', 'a3', 'up', '2026-11-21T10:01:00Z'),
    thumb('c3', 'a3', 'down', '2026-11-21T10:02:00Z'),
    answer('c5', 'a5', '2026-11-20T12:00:00Z', [SHIP, { id: 'kb-ship', title: 'dup' }]),
    thumb('c5', 'a5', 'up', '2026-11-20T12:01:00Z'),
    // kb-returns again, but the thumb was cleared: only a1 counts for it.
    answer('c4', 'a4', '2026-11-21T11:00:00Z', [RETURNS]),
    thumb('c4', 'a4', 'down', '2026-11-21T11:01:00Z'),
    thumb('c4', 'a4', 'none', '2026-11-21T11:02:00Z'),
    // Nov 23 in New York, Nov 24 in UTC.
    answer('c6', 'a6', '2026-11-24T02:00:00Z', [{ id: 'kb-size', url: 'https://help.example/size' }]),
    thumb('c6', 'a6', 'down', '2026-11-24T03:00:00Z'),
    // Rated before the window: not counted.
    answer('c7', 'a7', '2026-11-18T10:00:00Z', [{ id: 'kb-old' }]),
    thumb('c7', 'a7', 'down', '2026-11-18T10:01:00Z'),
    // Created twice: the latest message.created names its sources.
    answer('c9', 'a9', '2026-11-21T09:00:00Z', [{ id: 'kb-x' }]),
    answer('c9', 'a9', '2026-11-21T09:00:05Z', [{ id: 'kb-y' }]),
    thumb('c9', 'a9', 'down', '2026-11-21T09:01:00Z'),
    // A thumbed answer citing nothing, and a source cited by an unrated answer.
    answer('c10', 'a10', '2026-11-21T09:00:00Z', []),
    thumb('c10', 'a10', 'down', '2026-11-21T09:01:00Z'),
    answer('c11', 'a11', '2026-11-21T09:00:00Z', [{ id: 'kb-unrated' }]),
    // An id that needs encoding in a path.
    answer('c12', 'a12', '2026-11-22T09:00:00Z', [{ id: 'faq/ship?to=CA #1' }]),
    thumb('c12', 'a12', 'up', '2026-11-22T09:01:00Z'),
  ]);
  expect(first.status).toBe(202);
  expect(((await first.json()) as { rejected: unknown[] }).rejected).toEqual([]);
  await drain(env);
  // An answer whose message.created arrives after its thumb, in a later batch.
  expect((await send([thumb('c8', 'a8', 'down', '2026-11-22T11:01:00Z')])).status).toBe(202);
  await drain(env);
  expect((await send([answer('c8', 'a8', '2026-11-22T11:00:00Z', [{ id: 'kb-late' }])])).status).toBe(202);
  await drain(env);

  // Segments (Nov 10–12): each thumb counts in its own event's widget and locale, whatever the answer's.
  const shop = { widget_id: 'shop', locale: 'de-DE' };
  const seg = await send([
    { ...answer('s1', 's1-a', '2026-11-10T10:00:00Z', [{ id: 'kb-seg' }]), ...shop },
    thumb('s1', 's1-a', 'down', '2026-11-10T10:01:00Z', { widget_id: 'app', locale: 'de-AT' }),
    { ...answer('s2', 's2-a', '2026-11-10T11:00:00Z', [{ id: 'kb-seg' }]), ...shop },
    thumb('s2', 's2-a', 'up', '2026-11-10T11:01:00Z', { widget_id: 'shop', locale: 'DE-de' }),
    // Up in one segment, then down in another: only the other counts the answer.
    answer('s3', 's3-a', '2026-11-11T10:00:00Z', [{ id: 'kb-seg' }]),
    thumb('s3', 's3-a', 'up', '2026-11-11T10:01:00Z', { widget_id: 'web', locale: 'en' }),
    thumb('s3', 's3-a', 'down', '2026-11-11T10:02:00Z', { widget_id: 'app', locale: 'en-GB' }),
  ]);
  expect(seg.status).toBe(202);
  await drain(env);
});
afterAll(() => env.cleanup());

const get = (path: string, token = dt) => api.request(path, { headers: { authorization: `Bearer ${token}` } });

async function ranking(query: string): Promise<Sources['items']> {
  const res = await get(`/v1/analytics/sources?${query}`);
  expect(res.status, query).toBe(200);
  return ((await res.json()) as Sources).items;
}

async function answers(id: string, query: string): Promise<SourceAnswers> {
  const res = await get(`/v1/analytics/sources/${encodeURIComponent(id)}/answers?${query}`);
  expect(res.status, id).toBe(200);
  return (await res.json()) as SourceAnswers;
}

describe('sources on message.created', () => {
  it('are stored with the event: in order, each id once, absent title and url as empty', async () => {
    const rows = await env.ch.query<{ message_id: string; sources: Source[] }>(
      `SELECT message_id, sources FROM events WHERE workspace_id = 'w' AND message_id IN ('a1', 'a5', 'a10')
        AND type = 'message.created' ORDER BY message_id`,
    );
    expect(rows).toEqual([
      {
        message_id: 'a1',
        sources: [SHIP, { id: 'kb-returns', title: 'Returns', url: '' }],
      },
      { message_id: 'a10', sources: [] },
      { message_id: 'a5', sources: [SHIP] },
    ]);
  });

  it('are refused on a shopper message, naming the field', async () => {
    const res = await send([{ ...message('c1', 'q1', 'shopper', 'Hi', '2026-11-20T09:00:00Z'), sources: [SHIP] }]);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      rejected: [{ index: 0, code: 'invalid_event', message: 'sources: only assistant messages may carry sources' }],
    });
  });
});

describe('GET /v1/analytics/sources', () => {
  it("ranks cited sources by their answers' current thumbs in the window, most thumbs-down first", async () => {
    expect(await ranking(RANGE)).toEqual([
      {
        source_id: 'kb-ship',
        title: 'Shipping v2',
        url: 'https://help.example/ship',
        answers: 4,
        thumbs_up: 1,
        thumbs_down: 3,
        down_pct: 75,
      },
      // One thumb-down each: by id.
      { source_id: 'kb-late', title: null, url: null, answers: 1, thumbs_up: 0, thumbs_down: 1, down_pct: 100 },
      { source_id: 'kb-returns', title: 'Returns', url: null, answers: 1, thumbs_up: 0, thumbs_down: 1, down_pct: 100 },
      {
        source_id: 'kb-size',
        title: null,
        url: 'https://help.example/size',
        answers: 1,
        thumbs_up: 0,
        thumbs_down: 1,
        down_pct: 100,
      },
      { source_id: 'kb-y', title: null, url: null, answers: 1, thumbs_up: 0, thumbs_down: 1, down_pct: 100 },
      {
        source_id: 'faq/ship?to=CA #1',
        title: null,
        url: null,
        answers: 1,
        thumbs_up: 1,
        thumbs_down: 0,
        down_pct: 0,
      },
    ]);
  });

  it("counts a thumb on its local day in tz, and the window's edges", async () => {
    const utc = await ranking(`${RANGE}&tz=UTC`);
    expect(utc.map((s) => s.source_id)).not.toContain('kb-size');
    const day = await ranking('from=2026-11-18&to=2026-11-18');
    expect(day.map((s) => [s.source_id, s.thumbs_down])).toEqual([['kb-old', 1]]);
    const title = (await ranking('from=2026-11-20&to=2026-11-21')).find((s) => s.source_id === 'kb-ship');
    // a2 (Nov 22) is outside: the latest counted citation is a3's.
    expect(title).toMatchObject({ title: 'Shipping v1', answers: 3, thumbs_up: 1, thumbs_down: 2 });
    expect(await ranking('from=2026-11-01&to=2026-11-02')).toEqual([]);
  });

  it("filters by the thumb's own widget and locale (a language matches its regions)", async () => {
    const SEG = 'from=2026-11-10&to=2026-11-12';
    const counts = async (filter: string) =>
      (await ranking(`${SEG}${filter}`)).map((s) => [s.source_id, s.answers, s.thumbs_up, s.thumbs_down]);
    expect(await counts('')).toEqual([['kb-seg', 3, 1, 2]]);
    expect(await counts('&widget_id=app')).toEqual([['kb-seg', 2, 0, 2]]);
    expect(await counts('&widget_id=shop')).toEqual([['kb-seg', 1, 1, 0]]);
    expect(await counts('&widget_id=web')).toEqual([]);
    expect(await counts('&locale=de')).toEqual([['kb-seg', 2, 1, 1]]);
    expect(await counts('&locale=DE-at')).toEqual([['kb-seg', 1, 0, 1]]);
    expect(await counts('&locale=en')).toEqual([['kb-seg', 1, 0, 1]]);
    expect(await counts('&widget_id=app&locale=de')).toEqual([['kb-seg', 1, 0, 1]]);
    const drill = await answers('kb-seg', `${SEG}&widget_id=app`);
    expect(drill.items.map((a) => [a.message_id, a.thumb])).toEqual([
      ['s3-a', 'down'],
      ['s1-a', 'down'],
    ]);
  });

  it('answers 400 for a bad query and 401 without a dashboard token', async () => {
    const cases = [
      'from=2026-11-32&to=2026-11-33',
      'from=2026-11-02&to=2026-11-01',
      'widget_id=',
      `widget_id=${'w'.repeat(65)}`,
      'locale=de_DE',
      'from=nope',
    ];
    for (const query of cases) {
      const res = await get(`/v1/analytics/sources?${query}`);
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, query).toBe('invalid_query');
    }
    const tz = await get('/v1/analytics/sources?tz=Mars/Olympus');
    expect(tz.status).toBe(400);
    expect(await tz.json()).toMatchObject({ error: { code: 'invalid_tz' } });
    const range = await get('/v1/analytics/sources?from=2025-01-01&to=2026-11-01');
    expect(await range.json()).toMatchObject({ error: { code: 'range_too_large' } });
    expect((await get(`/v1/analytics/sources?${RANGE}`, sk)).status).toBe(401);
    expect((await api.request(`/v1/analytics/sources?${RANGE}`)).status).toBe(401);
  });
});

describe('the OpenAPI document', () => {
  it('documents both routes and sources on message.created', () => {
    const doc = api.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining(['/v1/analytics/sources', '/v1/analytics/sources/{source_id}/answers']),
    );
    const schemas = doc.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['Sources', 'SourceRank', 'SourceAnswers']));
    expect(JSON.stringify(schemas.KnowledgeGaps)).toContain('"sources"');
    const ingest = createIngestApp({ ...env, now: () => NOW });
    const events = ingest.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(events.components?.schemas?.Source).toMatchObject({ required: ['id'] });
  });
});

describe('GET /v1/analytics/sources/{source_id}/answers', () => {
  it('lists the counted answers citing a source: thumbed down first, then the latest', async () => {
    expect(await answers('kb-ship', RANGE)).toEqual({
      source_id: 'kb-ship',
      items: [
        {
          conversation_id: 'c2',
          message_id: 'a2',
          text: 'Answer a2',
          thumb: 'down',
          answered_at: '2026-11-22T10:00:00.000Z',
        },
        {
          conversation_id: 'c3',
          message_id: 'a3',
          text: 'Answer a3',
          thumb: 'down',
          answered_at: '2026-11-21T10:00:00.000Z',
        },
        {
          conversation_id: 'c1',
          message_id: 'a1',
          text: 'Answer a1',
          thumb: 'down',
          answered_at: '2026-11-20T10:00:00.000Z',
        },
        {
          conversation_id: 'c5',
          message_id: 'a5',
          text: 'Answer a5',
          thumb: 'up',
          answered_at: '2026-11-20T12:00:00.000Z',
        },
      ],
    });
    expect((await answers('kb-ship', `${RANGE}&limit=2`)).items.map((a) => a.message_id)).toEqual(['a2', 'a3']);
    expect((await answers('faq/ship?to=CA #1', RANGE)).items.map((a) => a.message_id)).toEqual(['a12']);
    expect((await answers('kb-x', RANGE)).items).toEqual([]);
    expect((await answers('kb-returns', RANGE)).items.map((a) => a.message_id)).toEqual(['a1']);
  });

  it('answers 400 for a bad limit or id', async () => {
    for (const path of [`kb-ship/answers?limit=0`, `kb-ship/answers?limit=201`, `${'i'.repeat(129)}/answers`]) {
      const res = await get(`/v1/analytics/sources/${path}`);
      expect(res.status, path).toBe(400);
    }
  });
});
