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
