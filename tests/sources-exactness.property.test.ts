// Property: whatever answers cite and however their thumbs flip, clear, repeat or arrive late
// (answers after their thumbs, out of order, duplicated, in any batching), the sources ranking
// and its drill-down equal a from-scratch reference computed from the events, in several zones.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { SourceAnswers, Sources } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { drain } from './support/pipeline.ts';
import { localDay } from './support/reference-model.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const SPAN_MIN = 6 * 24 * 60;
const ZONES = ['UTC', 'Asia/Kathmandu', 'America/New_York'];
const MESSAGES = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'];
const conversationOf = (m: string) => `c${Number(m.slice(1)) % 3}`;
const SOURCE_IDS = ['kb-a', 'kb-b', 'kb-c', 'kb-d'];

interface Cited {
  id: string;
  title?: string;
  url?: string;
}
type Sent =
  | { type: 'message.created'; message_id: string; role: 'assistant' | 'shopper'; ts: number; sources?: Cited[] }
  | { type: 'message.feedback'; message_id: string; thumb: 'up' | 'down' | 'none'; ts: number };
type Event = Sent & { event_id: string; conversation_id: string };

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let ingest: ReturnType<typeof createIngestApp>;

beforeAll(async () => {
  env = await openTestEnv('sources_exactness');
  api = createApiApp(env);
  ingest = createIngestApp({ ...env, now: () => NOW });
});
afterAll(() => env.cleanup());

// Minutes back from NOW, biased towards a few shared instants (equal ts: arrival decides).
const tsArb = fc.oneof(
  fc.integer({ min: 0, max: SPAN_MIN }).map((m) => NOW - m * 60_000),
  fc.constantFrom(NOW - 3 * 86_400_000, NOW - 86_400_000 - 37 * 60_000),
);
const citedArb: fc.Arbitrary<Cited> = fc.record(
  {
    id: fc.constantFrom(...SOURCE_IDS),
    title: fc.constantFrom('Shipping', 'Shipping (new)', 'Returns', ''),
    url: fc.constantFrom('https://help.example/a', 'https://help.example/b'),
  },
  { requiredKeys: ['id'] },
);
const sentArb: fc.Arbitrary<Sent> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        type: fc.constant('message.created' as const),
        message_id: fc.constantFrom(...MESSAGES),
        role: fc.constant('assistant' as const),
        ts: tsArb,
        sources: fc.option(fc.array(citedArb, { maxLength: 4 }), { nil: undefined }),
      },
      { requiredKeys: ['type', 'message_id', 'role', 'ts'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('message.created' as const),
      message_id: fc.constantFrom(...MESSAGES),
      role: fc.constant('shopper' as const),
      ts: tsArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('message.feedback' as const),
      message_id: fc.constantFrom(...MESSAGES),
      thumb: fc.constantFrom('up' as const, 'down' as const, 'none' as const),
      ts: tsArb,
    }),
  },
);

// An arrival sequence: new events and re-deliveries of earlier ones (same event_id), cut into requests.
const scenarioArb = fc
  .record({
    fresh: fc.array(sentArb, { minLength: 10, maxLength: 60, size: 'medium' }),
    resend: fc.array(fc.nat(), { maxLength: 8 }),
    cuts: fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 1, maxLength: 6 }),
    drainAfter: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  })
  .map(({ fresh, resend, cuts, drainAfter }) => {
    const events: Event[] = fresh.map((e) => ({
      ...e,
      event_id: randomUUID(),
      conversation_id: conversationOf(e.message_id),
    }));
    const arrivals = [...events];
    for (const i of resend) arrivals.splice(i % (arrivals.length + 1), 0, events[i % events.length] as Event);
    const requests: Event[][] = [];
    let at = 0;
    for (const n of cuts) {
      if (at >= arrivals.length) break;
      requests.push(arrivals.slice(at, at + n));
      at += n;
    }
    if (at < arrivals.length) requests.push(arrivals.slice(at));
    return { requests, drainAfter };
  });

/** The contract's rules, read from the accepted events (arrival order) with nothing shared with the server. */
class SourcesModel {
  private readonly seen = new Set<string>();
  private readonly accepted: (Event & { order: number })[] = [];

  receive(e: Event): void {
    if (this.seen.has(e.event_id)) return;
    this.seen.add(e.event_id);
    this.accepted.push({ ...e, order: this.accepted.length });
  }

  private latest(keep: (e: Event) => boolean): Map<string, Event & { order: number }> {
    const out = new Map<string, Event & { order: number }>();
    for (const e of this.accepted) {
      if (!keep(e)) continue;
      const cur = out.get(e.message_id);
      if (!cur || e.ts > cur.ts || (e.ts === cur.ts && e.order > cur.order)) out.set(e.message_id, e);
    }
    return out;
  }

  /** The answers whose current thumb counts in [from, to] in tz, with their latest assistant message.created. */
  private counted(from: string, to: string, tz: string) {
    const thumbs = this.latest((e) => e.type === 'message.feedback');
    const answers = this.latest((e) => e.type === 'message.created' && e.role === 'assistant');
    const out = [];
    for (const [id, t] of thumbs) {
      const a = answers.get(id);
      if (t.type !== 'message.feedback' || t.thumb === 'none' || !a || a.type !== 'message.created') continue;
      const day = localDay(t.ts, tz);
      if (day < from || day > to) continue;
      // Each source once per answer, with its first title and url.
      const ids = [...new Set((a.sources ?? []).map((s) => s.id))];
      out.push({ answer: a, thumb: t.thumb, sources: ids.map((id) => sourceOf(a.sources ?? [], id)) });
    }
    return out;
  }

  ranking(from: string, to: string, tz: string): Sources['items'] {
    const by = new Map<
      string,
      { up: number; down: number; answers: number; title: string; url: string; at: [number, string] }
    >();
    for (const { answer, thumb, sources } of this.counted(from, to, tz)) {
      for (const s of sources) {
        const r = by.get(s.id) ?? { up: 0, down: 0, answers: 0, title: '', url: '', at: [-1, ''] };
        r.answers++;
        if (thumb === 'up') r.up++;
        else r.down++;
        // The latest citation: greatest ts, then greatest message_id (arrival order is the
        // pipeline's only within a conversation).
        const at: [number, string] = [answer.ts, answer.message_id];
        if (at[0] > r.at[0] || (at[0] === r.at[0] && at[1] > r.at[1]))
          Object.assign(r, { title: s.title, url: s.url, at });
        by.set(s.id, r);
      }
    }
    return [...by]
      .sort(([ia, a], [ib, b]) => b.down - a.down || a.up - b.up || (ia < ib ? -1 : 1))
      .map(([id, r]) => ({
        source_id: id,
        title: r.title || null,
        url: r.url || null,
        answers: r.answers,
        thumbs_up: r.up,
        thumbs_down: r.down,
        down_pct: Math.round((r.down / (r.up + r.down)) * 100 * 10) / 10,
      }));
  }

  answers(sourceId: string, from: string, to: string, tz: string): SourceAnswers['items'] {
    return this.counted(from, to, tz)
      .filter((c) => c.sources.some((s) => s.id === sourceId))
      .sort(
        (a, b) =>
          Number(b.thumb === 'down') - Number(a.thumb === 'down') ||
          b.answer.ts - a.answer.ts ||
          (a.answer.message_id < b.answer.message_id ? -1 : 1),
      )
      .map(({ answer, thumb }) => ({
        conversation_id: answer.conversation_id,
        message_id: answer.message_id,
        text: null,
        thumb: thumb as 'up' | 'down',
        answered_at: new Date(answer.ts).toISOString(),
      }));
  }
}

/** The first citation of `id` in an answer's list, as stored ('' for absent fields). */
function sourceOf(list: Cited[], id: string) {
  const s = list.find((c) => c.id === id) as Cited;
  return { id, title: s.title ?? '', url: s.url ?? '' };
}

describe('sources exactness against a reference', () => {
  it('the ranking and each drill-down equal the reference, in several zones', async () => {
    // Runs whose reference ranks some source with both thumbs, or with a title that changed:
    // the comparisons below are not only of empty lists.
    let mixed = 0;
    let retitled = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ requests, drainAfter }) => {
        const ws = `w${randomUUID().slice(0, 8)}`;
        const sk = newToken('secret');
        const dt = newToken('dashboard');
        await env.store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: [] });
        await env.store.addToken(sk, { workspace_id: ws, kind: 'secret' });
        await env.store.addToken(dt, { workspace_id: ws, kind: 'dashboard' });
        const model = new SourcesModel();

        for (const [i, batch] of requests.entries()) {
          const res = await ingest.request('/v1/events', {
            method: 'POST',
            headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
            body: JSON.stringify({ events: batch }),
          });
          expect(res.status).toBe(202);
          expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([]);
          for (const e of batch) model.receive(e);
          if (drainAfter[i]) await drain(env);
        }
        await drain(env);

        const get = async <T>(path: string): Promise<T> => {
          const res = await api.request(path, { headers: { authorization: `Bearer ${dt}` } });
          expect(res.status, path).toBe(200);
          return (await res.json()) as T;
        };
        for (const tz of ZONES) {
          // The whole span, and a two-day window inside it.
          const windows = [
            [localDay(NOW - SPAN_MIN * 60_000, tz), localDay(NOW, tz)],
            [localDay(NOW - 3 * 86_400_000, tz), localDay(NOW - 2 * 86_400_000, tz)],
          ] as const;
          for (const [from, to] of windows) {
            const q = `from=${from}&to=${to}&tz=${encodeURIComponent(tz)}`;
            const ranking = await get<Sources>(`/v1/analytics/sources?${q}`);
            const expected = model.ranking(from, to, tz);
            expect(ranking.items, `ranking ${q}`).toEqual(expected);
            if (expected.some((r) => r.thumbs_up > 0 && r.thumbs_down > 0)) mixed++;
            if (expected.some((r) => r.title !== null && r.title !== 'Shipping')) retitled++;
            for (const id of SOURCE_IDS) {
              const drill = await get<SourceAnswers>(`/v1/analytics/sources/${id}/answers?${q}&limit=200`);
              // The pipeline keeps texts; the generated answers have none.
              expect(drill.items, `answers of ${id} ${q}`).toEqual(model.answers(id, from, to, tz));
            }
          }
        }
      }),
      // endOnFailure: report the first counterexample and its seed at once (shrinking can outlast the timeout).
      // A fixed seed (FC_SEED picks another): the coverage counted below must not depend on luck,
      // and a failure must reproduce.
      { numRuns: 25, endOnFailure: true, seed: Number(process.env.FC_SEED ?? 20_261_207) },
    );
    expect(mixed).toBeGreaterThan(10);
    expect(retitled).toBeGreaterThan(10);
  }, 300_000);
});
