// Property: whatever feedback arrives (flips, clears, duplicates, out of order, CSAT
// resubmitted, rating prompts, many days, several widgets and locales) and however it is
// batched, the overview, the breakdowns, the inbox, the export and each conversation's
// feedback equal a from-scratch reference model, in several time zones and segments.
// Each event names a widget and a locale or not, independently, so a flip or a re-rating
// often moves a count from one segment to another.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { drain } from './support/pipeline.ts';
import { localDay, ReferenceModel, type ModelEvent, type SegmentFilter } from './support/reference-model.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const SPAN_MIN = 6 * 24 * 60;
const ZONES = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York', 'Australia/Lord_Howe'];
const CONVERSATIONS = ['c0', 'c1', 'c2', 'c3'];
const MESSAGES = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
const conversationOf = (m: string) => `c${Number(m.slice(1)) % CONVERSATIONS.length}`;

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let ingest: ReturnType<typeof createIngestApp>;

beforeAll(async () => {
  env = await openTestEnv('exactness');
  api = createApiApp(env);
  ingest = createIngestApp({ ...env, now: () => NOW });
});
afterAll(() => env.cleanup());

// Timestamps: minutes back from NOW, with a bias towards a few shared instants so equal
// ts (tie broken by arrival) happens often.
const tsArb = fc.oneof(
  fc.integer({ min: 0, max: SPAN_MIN }).map((m) => NOW - m * 60_000),
  fc.constantFrom(NOW - 3 * 86_400_000, NOW - 86_400_000 - 37 * 60_000).map((t) => t),
);

// Segments: two widgets and locales of two languages in several spellings, or none.
const segmentArb = fc.record(
  {
    widget_id: fc.constantFrom('w1', 'w2'),
    locale: fc.constantFrom('de-DE', 'de-AT', 'de', 'en', 'EN-us'),
  },
  { requiredKeys: [] },
);
const FILTERS: SegmentFilter[] = [
  { widget_id: 'w1' },
  { locale: 'de' },
  { locale: 'en-US' },
  { widget_id: 'w2', locale: 'DE-de' },
];

const kindArb: fc.Arbitrary<Omit<ModelEvent, 'event_id' | 'widget_id' | 'locale'>> = fc.oneof(
  fc
    .record({
      type: fc.constant('message.feedback' as const),
      message_id: fc.constantFrom(...MESSAGES),
      thumb: fc.constantFrom('up' as const, 'down' as const, 'none' as const),
      ts: tsArb,
    })
    .map((e) => ({ ...e, conversation_id: conversationOf(e.message_id) })),
  fc.record({
    type: fc.constant('conversation.csat' as const),
    conversation_id: fc.constantFrom(...CONVERSATIONS),
    score: fc.integer({ min: 1, max: 5 }),
    reason: fc.option(fc.constantFrom('too slow', 'wrong size', ''), { nil: undefined }),
    ts: tsArb,
  }),
  fc.record({
    type: fc.constant('conversation.started' as const),
    conversation_id: fc.constantFrom(...CONVERSATIONS),
    ts: tsArb,
  }),
  fc.record({
    type: fc.constant('conversation.csat_prompted' as const),
    conversation_id: fc.constantFrom(...CONVERSATIONS),
    ts: tsArb,
  }),
);

const eventArb: fc.Arbitrary<Omit<ModelEvent, 'event_id'>> = fc
  .tuple(kindArb, segmentArb)
  .map(([e, segment]) => ({ ...e, ...segment }));

// An arrival sequence: new events, and re-deliveries of earlier ones (same event_id).
const scenarioArb = fc
  .record({
    fresh: fc.array(eventArb, { minLength: 1, maxLength: 40 }),
    resend: fc.array(fc.nat(), { maxLength: 10 }),
    cuts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
    drainAfter: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ fresh, resend, cuts, drainAfter }) => {
    const events: ModelEvent[] = fresh.map((e) => ({ ...e, event_id: randomUUID() }) as ModelEvent);
    const arrivals = [...events];
    for (const i of resend) arrivals.splice(i % (arrivals.length + 1), 0, events[i % events.length] as ModelEvent);
    const requests: ModelEvent[][] = [];
    let at = 0;
    for (const n of cuts) {
      if (at >= arrivals.length) break;
      requests.push(arrivals.slice(at, at + n));
      at += n;
    }
    if (at < arrivals.length) requests.push(arrivals.slice(at));
    return { requests, drainAfter };
  });

function wire(e: ModelEvent): object {
  // CSAT as thumbs sometimes (up = 5, down = 1), as the contract allows.
  if (e.type === 'conversation.csat' && (e.score === 5 || e.score === 1) && e.event_id < '8') {
    const { score, ...rest } = e;
    return { ...rest, thumb: score === 5 ? 'up' : 'down', reason: e.reason || undefined };
  }
  return { ...e, reason: e.type === 'conversation.csat' ? e.reason || undefined : undefined };
}

describe('exactness against a reference model', () => {
  let run = 0;
  it('overview, breakdowns, inbox, export and conversation feedback equal the model, per segment', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ requests, drainAfter }) => {
        const ws = `w${randomUUID().slice(0, 8)}`;
        const sk = newToken('secret');
        const dt = newToken('dashboard');
        await env.store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: [] });
        await env.store.addToken(sk, { workspace_id: ws, kind: 'secret' });
        await env.store.addToken(dt, { workspace_id: ws, kind: 'dashboard' });
        const model = new ReferenceModel();

        for (const [i, batch] of requests.entries()) {
          const res = await ingest.request('/v1/events', {
            method: 'POST',
            headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events: batch.map(wire) }),
          });
          expect(res.status).toBe(202);
          for (const e of batch) model.receive(e);
          if (drainAfter[i]) await drain(env);
        }
        await drain(env);

        const get = async (path: string) => {
          const res = await api.request(path, { headers: { authorization: `Bearer ${dt}` } });
          expect(res.status, path).toBe(200);
          return res.json();
        };
        for (const tz of ZONES) {
          const to = localDay(NOW, tz);
          const from = localDay(NOW - SPAN_MIN * 60_000 + 86_400_000, tz);
          const q = `from=${from}&to=${to}&tz=${encodeURIComponent(tz)}`;
          const overview = (await get(`/v1/analytics/overview?${q}`)) as { live_seq: number };
          expect(Number.isInteger(overview.live_seq) && overview.live_seq >= 0).toBe(true);
          expect(overview, `overview ${tz}`).toEqual(model.overview(from, to, tz, overview.live_seq));
          const inbox = (await get(`/v1/conversations?${q}&limit=200`)) as { items: { version: number }[] };
          // Versions count the batches that changed a conversation (batching is not the model's
          // business): each is a positive integer; the rest equals the model.
          for (const item of inbox.items) expect(Number.isInteger(item.version) && item.version >= 1).toBe(true);
          const summaries = inbox.items.map(({ version: _version, ...rest }) => rest);
          expect(summaries, `inbox ${tz}`).toEqual(
            model.conversations(from, to, tz).map((c) => ({ ...c, preview: c.negative_reason, review: null })),
          );
        }
        // Segments, in one zone per run (they do not depend on the zone beyond the days).
        const tz = ZONES[run++ % ZONES.length] as string;
        const to = localDay(NOW, tz);
        const from = localDay(NOW - SPAN_MIN * 60_000 + 86_400_000, tz);
        const q = `from=${from}&to=${to}&tz=${encodeURIComponent(tz)}`;
        for (const by of ['widget_id', 'locale', 'language'] as const) {
          expect(await get(`/v1/analytics/breakdown?${q}&by=${by}`), `breakdown by ${by}`).toEqual(
            model.breakdown(by, from, to, tz),
          );
        }
        for (const filter of FILTERS) {
          const f = `${q}&${new URLSearchParams(filter as Record<string, string>)}`;
          const overview = (await get(`/v1/analytics/overview?${f}`)) as { live_seq: number };
          expect(overview, `overview ${f}`).toEqual(model.overview(from, to, tz, overview.live_seq, filter));
          expect(await get(`/v1/analytics/breakdown?${f}&by=language`), `breakdown ${f}`).toEqual(
            model.breakdown('language', from, to, tz, filter),
          );
          const inbox = (await get(`/v1/conversations?${f}&limit=200`)) as { items: { version: number }[] };
          // No transcripts here: the preview is the negative reason; no reviews.
          expect(
            inbox.items.map(({ version: _version, ...rest }) => rest),
            `inbox ${f}`,
          ).toEqual(
            model.conversations(from, to, tz, filter).map((c) => ({ ...c, preview: c.negative_reason, review: null })),
          );
          const exported = await api.request(`/v1/conversations/export?${f}&format=ndjson`, {
            headers: { authorization: `Bearer ${dt}` },
          });
          expect(exported.status).toBe(200);
          const lines = (await exported.text()).split('\n').filter(Boolean);
          expect(
            lines.map((l) => JSON.parse(l) as object),
            `export ${f}`,
          ).toEqual(model.conversations(from, to, tz, filter));
        }
        for (const c of CONVERSATIONS) {
          const expected = model.feedback(c);
          const res = await api.request(`/v1/conversations/${c}`, { headers: { authorization: `Bearer ${dt}` } });
          if (res.status === 404) continue; // never named in this run's workspace
          const detail = (await res.json()) as { messages: { message_id: string; feedback: string | null }[] };
          const actual = Object.fromEntries(detail.messages.map((m) => [m.message_id, m.feedback]));
          expect(actual, `feedback of ${c}`).toEqual(expected);
        }
      }),
      // endOnFailure: report the first counterexample and its seed at once (shrinking can outlast the timeout).
      { numRuns: 30, endOnFailure: true },
    );
  }, 300_000);
});
