// Fuzz: thousands of malformed, oversized, wrongly typed and hostile requests at ingest
// and the query API. Never a 5xx, always the error shape, never a bad row in ClickHouse.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { EVENT_TYPES } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { drain } from './support/pipeline.ts';

let env: TestEnv;
const sk = newToken('secret');
const pk = newToken('public');
const dt = newToken('dashboard');
const NOW = Date.now();

beforeAll(async () => {
  env = await openTestEnv('fuzz');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: ['http://localhost:*'] });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  await env.store.addToken(pk, { workspace_id: 'w', kind: 'public' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
});
afterAll(() => env.cleanup());

const hostile = fc.constantFrom(
  "'; DROP TABLE events; --",
  '{{ws:String}}',
  '\u0000\u0001',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '🙂'.repeat(40),
  'a'.repeat(200),
  '$(rm -rf /)',
  '\\',
  '"',
);
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), hostile);

// Values shaped like events, with each field sometimes wrong.
const eventish = fc.record(
  {
    event_id: fc.oneof(fc.uuid(), text, fc.integer()),
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), text, fc.constant(null)),
    ts: fc.oneof(
      fc.integer({ min: NOW - 40 * 86_400_000, max: NOW + 86_400_000 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      text,
      fc.double(),
    ),
    conversation_id: fc.oneof(text, fc.integer()),
    message_id: fc.oneof(text, fc.array(fc.integer())),
    role: fc.oneof(fc.constantFrom('shopper', 'assistant', 'agent'), text),
    thumb: fc.oneof(fc.constantFrom('up', 'down', 'none'), text),
    score: fc.oneof(fc.integer({ min: -10, max: 10 }), fc.double(), text),
    reason: fc.oneof(text, fc.constant('r'.repeat(2001))),
    text: text,
    widget_id: text,
    locale: text,
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  eventish.map((e) => JSON.stringify(e)),
  fc.array(eventish, { maxLength: 20 }).map((events) => JSON.stringify({ events })),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.constant('{"events": ['),
  fc.constant(JSON.stringify({ events: Array.from({ length: 501 }, () => ({})) })),
);

describe('fuzz', () => {
  it('ingest answers every request with a 2xx or a 4xx in the contract shape', async () => {
    const app = createIngestApp(env);
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('application/json', 'text/plain', 'application/xml', '', 'application/json; charset=utf-8'),
        fc.constantFrom(`Bearer ${sk}`, `Bearer ${pk}`, 'Bearer nope', '', 'Basic abc'),
        fc.constantFrom('', 'http://localhost:3000', 'https://evil.example'),
        async (payload, type, auth, origin) => {
          const headers: Record<string, string> = {};
          if (type) headers['content-type'] = type;
          if (auth) headers.authorization = auth;
          if (origin) headers.origin = origin;
          const res = await app.request('/v1/events', { method: 'POST', headers, body: payload });
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as { error?: { code: string; message: string }; accepted?: number };
          if (res.status >= 400) expect(typeof json.error?.code).toBe('string');
          else expect(res.status).toBe(202);
        },
      ),
      { numRuns: 1500 },
    );
    await drain(env);
    const [bad] = await env.ch.query<{ n: string }>(
      `SELECT count() AS n FROM events
        WHERE type NOT IN ({types:Array(String)})
           OR conversation_id = '' OR lengthUTF8(conversation_id) > 128
           OR (type = 'message.feedback' AND thumb NOT IN ('up', 'down', 'none'))
           OR (type = 'conversation.csat' AND (score IS NULL OR score < 1 OR score > 5))
           OR ts > now64() + INTERVAL 5 MINUTE OR ts < now64() - INTERVAL 31 DAY`,
      { types: [...EVENT_TYPES] },
    );
    expect(Number(bad?.n)).toBe(0);
  }, 300_000);

  it('the query API answers every query string with a 2xx or a 4xx in the contract shape', async () => {
    const app = createApiApp(env);
    const param = fc.oneof(
      text,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    );
    const path = fc.constantFrom(
      '/v1/analytics/overview',
      '/v1/conversations',
      '/v1/recommendations/knowledge-gaps',
      '/v1/conversations/',
      '/v1/settings/widgets/',
      '/v1/settings/languages/',
    );
    await fc.assert(
      fc.asyncProperty(path, param, param, param, param, text, async (p, from, to, tz, extra, id) => {
        const qs = new URLSearchParams({ from, to, tz, limit: extra, cursor: extra, feedback: extra });
        const url = p.endsWith('/') ? `${p}${encodeURIComponent(id)}${p.includes('languages') ? '/auto-end' : ''}` : p;
        const res = await app.request(`${url}?${qs}`, { headers: { authorization: `Bearer ${dt}` } });
        expect(res.status, `${url}?${qs}`).toBeLessThan(500);
        if (res.status >= 400) {
          const json = (await res.json()) as { error?: { code: string } };
          expect(typeof json.error?.code).toBe('string');
        }
      }),
      { numRuns: 600 },
    );
  }, 300_000);
});

// Every GET route of the query API with the query parameters it takes, each present or absent.
const ROUTES = [
  '/v1/analytics/overview',
  '/v1/analytics/breakdown',
  '/v1/analytics/sources',
  '/v1/analytics/sources/{id}/answers',
  '/v1/conversations',
  '/v1/conversations/export',
  '/v1/conversations/{id}',
  '/v1/recommendations/knowledge-gaps',
  '/v1/alerts/rules',
  '/v1/alerts/deliveries',
  '/v1/settings/widgets/{id}',
  '/v1/settings/languages/{id}/auto-end',
] as const;
const RANGE_ROUTES = ROUTES.filter((r) => /overview|breakdown|sources|conversations$|export|knowledge-gaps/.test(r));

/** Dates a caller may send: real, impossible, out of any sane range, extended years, or not dates. */
const dateParam = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .date({ min: new Date('2025-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom(
    '2026-13-45',
    '9999-12-31',
    '0000-01-01',
    '0001-01-01',
    '1969-12-31',
    '1970-01-01',
    '1900-01-01',
    '2149-06-06',
    '2299-12-31',
    '2026-02-29',
    '2024-02-29',
    '2026-00-10',
    '2026-11-00',
    '+010000-01-01',
    '-000001-01-01',
    '2026-1-1',
    '20261101',
    '',
  ),
  text,
);
const day = (min: string, max: string) =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

/** Per query parameter: values a dashboard sends, and values a hostile caller sends. */
const PARAMS: Record<string, [valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string>]> = {
  from: [day('2025-06-01', '2027-06-30'), dateParam],
  to: [day('2025-06-01', '2027-06-30'), dateParam],
  tz: [
    fc.constantFrom(
      'UTC',
      'Asia/Kolkata',
      'Asia/Kathmandu',
      'Europe/Berlin',
      'America/New_York',
      'Australia/Lord_Howe',
    ),
    fc.oneof(
      fc.constantFrom('utc', 'EST5EDT', 'Etc/GMT+14', 'Etc/GMT-14', 'GMT0', 'Factory', 'US/Pacific-New', 'ROK'),
      fc.constantFrom('Europe/Kyiv', 'America/Argentina/ComodRivadavia', 'America/Coyhaique', 'Mars/Olympus'),
      text,
    ),
  ],
  widget_id: [fc.constantFrom('w', 'shop-1'), text],
  locale: [fc.constantFrom('de', 'de-DE', 'en'), text],
  limit: [fc.integer({ min: 1, max: 200 }).map(String), fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), text)],
  cursor: [fc.constant('') /* as absent; a real cursor comes only from a page */, text],
  feedback: [fc.constantFrom('upvote', 'downvote', 'unknown'), text],
  format: [fc.constantFrom('csv', 'ndjson'), text],
  by: [fc.constantFrom('widget_id', 'locale', 'language'), text],
  answered: [fc.constantFrom('true', 'false'), text],
  review: [fc.constantFrom('unreviewed', 'didnt_know'), text],
  q: [fc.constantFrom('size', 'ship to canada'), text],
  rule_id: [fc.constantFrom('r1'), text],
};
const NAMES = Object.keys(PARAMS);
const pick = (i: 0 | 1) =>
  fc.record(
    Object.fromEntries(
      NAMES.map((k) => [
        k,
        fc.option((PARAMS[k] as [fc.Arbitrary<string>, fc.Arbitrary<string>])[i], { nil: undefined }),
      ]),
    ),
  ) as fc.Arbitrary<Record<string, string | undefined>>;
/** Valid or absent parameters; the same with one hostile parameter; or anything at all. */
const queryParams = fc.oneof(
  pick(0),
  fc
    .tuple(pick(0), fc.constantFrom(...NAMES))
    .chain(([valid, k]) => (PARAMS[k] as [unknown, fc.Arbitrary<string>])[1].map((v) => ({ ...valid, [k]: v }))),
  pick(1),
);

describe('fuzz: query parameters of every route', () => {
  it('every GET route answers any combination of its query parameters, present or absent, without a 5xx', async () => {
    const app = createApiApp(env);
    const answered = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        queryParams,
        fc.oneof(fc.constantFrom('de-DE', 'w', 'kb'), text),
        async (route, params, id) => {
          const qs = new URLSearchParams();
          for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, v);
          const url = `${route.replace('{id}', encodeURIComponent(id) || 'x')}?${qs}`;
          const res = await app.request(url, { headers: { authorization: `Bearer ${dt}` } });
          const body = await res.text(); // the export streams: a failure mid-body rejects here
          expect(res.status, `${url} → ${body.slice(0, 300)}`).toBeLessThan(500);
          const code = res.status >= 400 ? (JSON.parse(body) as { error?: { code?: unknown } }).error?.code : null;
          if (res.status >= 400) expect(typeof code).toBe('string');
          // A 404 of an unknown conversation also came from the handler.
          if (res.status < 400 || code === 'not_found') answered.set(route, (answered.get(route) ?? 0) + 1);
        },
      ),
      { numRuns: 1500 },
    );
    // The fuzz reached every handler, not only the validation in front of it.
    for (const route of ROUTES) expect(answered.get(route) ?? 0, route).toBeGreaterThan(5);
  }, 300_000);

  it.each(RANGE_ROUTES)('%s answers 400 invalid_query for a date that is not a real date in range', async (route) => {
    const app = createApiApp(env);
    const path = route.replace('{id}', 'kb');
    const cases: [string, string][] = [
      ['to=2026-13-45', 'to'],
      ['to=9999-12-31', 'to'],
      ['from=9999-12-31', 'from'],
      ['to=2026-02-30', 'to'],
      ['from=0001-01-01&to=0001-01-05', 'from'],
      ['from=1969-12-31', 'from'],
      ['from=2026-11-02&to=2026-11-01', 'from'],
      ['to=+010000-01-01', 'to'],
    ];
    for (const [query, field] of cases) {
      const res = await app.request(`${path}?by=locale&${query}`, { headers: { authorization: `Bearer ${dt}` } });
      const body = (await res.json()) as { error?: { code: string; message: string } };
      expect(res.status, `${path}?${query}: ${JSON.stringify(body)}`).toBe(400);
      expect(body.error?.code, query).toBe('invalid_query');
      expect(body.error?.message, query).toMatch(new RegExp(`^${field}: `));
    }
    const long = await app.request(`${path}?by=locale&from=2025-01-01&to=2026-12-31`, {
      headers: { authorization: `Bearer ${dt}` },
    });
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe('range_too_large');
  });
});

describe('every documented operation', () => {
  it('answers 401 with a code, never a 5xx, when it is called without a token', async () => {
    const app = createApiApp(env);
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'Thumbline', version: 'test' } });
    const checked: string[] = [];
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        const op = (item as Record<string, { security?: unknown[] } | undefined>)[method];
        if (!op?.security?.length) continue;
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const res = await app.request(url, {
          method: method.toUpperCase(),
          ...(method === 'get' || method === 'delete'
            ? {}
            : { body: '{}', headers: { 'content-type': 'application/json' } }),
        });
        const body = await res.text();
        expect(res.status, `${method.toUpperCase()} ${url} → ${body.slice(0, 200)}`).toBe(401);
        expect(typeof (JSON.parse(body) as { error?: { code?: unknown } }).error?.code).toBe('string');
        checked.push(`${method} ${path}`);
      }
    }
    // The review and erasure routes (which once answered 500 without a token) are among them.
    expect(checked).toContain('put /v1/conversations/{conversation_id}/review');
    expect(checked.length).toBeGreaterThan(20);
  });
});
