// Answered knowledge gaps (CONTRACT §13) on real ClickHouse: marking, before/after rates with
// Wilson intervals, verdicts, the `answered` filter, a gap that comes back, ids that stay attached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import type { EventRow } from '@thumbline/clickhouse';
import { wilsonInterval, type KnowledgeGapItem, type KnowledgeGaps } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { eventRows } from './support/event-rows.ts';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
let app: ReturnType<typeof createApiApp>;
const dt = newToken('dashboard');
const other = newToken('dashboard');
const { said, rated } = eventRows('wa');

/** Answered on Nov 15 at noon UTC: Nov 10–14 is before, Nov 16–20 after. */
const T = Date.parse('2026-11-15T12:00:00Z');
const WINDOW = 'from=2026-11-10&to=2026-11-20&tz=UTC';

/** `n` conversations asking `question` on `day` (one an hour), the first `down` answers thumbed down. */
function asked(prefix: string, question: string, day: string, n: number, down: number): EventRow[] {
  return Array.from({ length: n }, (_, i) => {
    const conv = `${prefix}-${day}-${i}`;
    const at = Date.parse(`${day}T00:00:00Z`) + i * 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    return [
      said(conv, `${conv}-q`, 'shopper', question, iso(at)),
      said(conv, `${conv}-a`, 'assistant', 'Yes.', iso(at + 1000)),
      ...(i < down ? [rated(conv, `${conv}-a`, 'down', iso(at + 60_000))] : []),
    ];
  }).flat();
}

const get = (query: string, token = dt) =>
  app.request(`/v1/recommendations/knowledge-gaps?${query}`, { headers: { authorization: `Bearer ${token}` } });
const gaps = async (query = WINDOW) => {
  const res = await get(query);
  const body = (await res.json()) as KnowledgeGaps;
  if (res.status !== 200) throw new Error(JSON.stringify(body));
  return body.items;
};
const mark = (id: string, body: unknown, query = WINDOW, token = dt) =>
  app.request(`/v1/recommendations/knowledge-gaps/${id}/answered?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const unmark = (id: string) =>
  app.request(`/v1/recommendations/knowledge-gaps/${id}/answered`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${dt}` },
  });
const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;
const idOf = async (example: string, query = WINDOW) => {
  const gap = (await gaps(query)).find((g) => g.examples.includes(example));
  expect(gap, example).toBeDefined();
  return gap!.id;
};
const wilson = (k: number, n: number) => {
  const { lower, upper } = wilsonInterval(k, n, 1.959964);
  return { low: expect.closeTo(lower, 3), high: expect.closeTo(upper, 3) };
};

beforeAll(async () => {
  env = await openTestEnv('gaps-answered');
  await env.store.saveWorkspace({ id: 'wa', tz: 'UTC', allowed_origins: [] });
  await env.store.saveWorkspace({ id: 'wb', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(dt, { workspace_id: 'wa', kind: 'dashboard' });
  await env.store.addToken(other, { workspace_id: 'wb', kind: 'dashboard' });
  app = createApiApp(env);
  await env.ch.insert(
    'events',
    [
      // Canada: 8 of 10 answers thumbed down before, 1 of 10 after (a synonym wording joins it).
      ...asked('ca', 'Do you ship to Canada?', '2026-11-11', 6, 5),
      ...asked('cb', 'do you deliver to canada', '2026-11-12', 4, 3),
      ...asked('cc', 'Do you ship to Canada?', '2026-11-17', 10, 1),
      // Klarna: 3 of 5 down before, 3 of 5 after: not fixed, and back.
      ...asked('ka', 'Can I pay with Klarna?', '2026-11-11', 5, 3),
      ...asked('kb', 'Can I pay with Klarna?', '2026-11-18', 5, 3),
      // Waterproof: 3 of 4 down before, none of 2 after: too few answers to tell.
      ...asked('wa', 'Is the jacket waterproof?', '2026-11-12', 4, 3),
      ...asked('wb', 'Is the jacket waterproof?', '2026-11-19', 2, 0),
      // Gift cards, Nov 21–22: the typo wording gets more thumbs-down than the one marked.
      ...asked('ga', 'Do you sell gift cards?', '2026-11-21', 2, 2),
      ...asked('gb', 'Do you sel gift cards?', '2026-11-22', 3, 3),
    ],
    { insert_deduplication_token: 'gaps-answered-seed' },
  );
});
afterAll(() => env.cleanup());

describe('answered knowledge gaps', () => {
  it('lists gaps unmarked, with answered null, and filters by answered', async () => {
    const items = await gaps();
    expect(items.map((g) => [g.question, g.thumbs_down, g.answered])).toEqual([
      ['Do you ship to Canada?', 9, null],
      ['Can I pay with Klarna?', 6, null],
      ['Is the jacket waterproof?', 3, null],
    ]);
    // The trend: thumbs-down per day of the window, Nov 10 to Nov 20.
    expect(items[0]?.daily).toEqual([0, 5, 3, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(await gaps(`${WINDOW}&answered=true`)).toEqual([]);
    expect((await gaps(`${WINDOW}&answered=false`)).length).toBe(3);
  });

  it('marks a gap answered: its id stays, with before/after rates, Wilson intervals and the verdict', async () => {
    const id = await idOf('Do you ship to Canada?');
    const res = await mark(id, { at: T, source_id: 'kb-shipping-canada' });
    expect(res.status).toBe(200);
    const gap = (await res.json()) as KnowledgeGapItem;
    expect(gap).toMatchObject({
      id,
      question: 'Do you ship to Canada?',
      answered: {
        at: '2026-11-15T12:00:00.000Z',
        source_id: 'kb-shipping-canada',
        before: { answers: 10, thumbs_down: 8, rate: 0.8, ...wilson(8, 10) },
        after: { answers: 10, thumbs_down: 1, rate: 0.1, ...wilson(1, 10) },
        verdict: 'fixed',
        returned: false,
      },
    });
    expect(gap.examples.sort()).toEqual(['Do you ship to Canada?', 'do you deliver to canada']);
    expect((await gaps(`${WINDOW}&answered=true`)).map((g) => g.id)).toEqual([id]);
    expect((await gaps(`${WINDOW}&answered=false`)).map((g) => g.id)).not.toContain(id);
  });

  it('says not_fixed and that the gap came back when the thumbs-down return', async () => {
    const id = await idOf('Can I pay with Klarna?');
    const gap = (await (await mark(id, { at: T })).json()) as KnowledgeGapItem;
    expect(gap.answered).toMatchObject({
      source_id: null,
      before: { answers: 5, thumbs_down: 3 },
      after: { answers: 5, thumbs_down: 3 },
      verdict: 'not_fixed',
      returned: true,
    });
  });

  it('says unclear when the intervals overlap', async () => {
    const id = await idOf('Is the jacket waterproof?');
    const gap = (await (await mark(id, { at: T })).json()) as KnowledgeGapItem;
    expect(gap.answered).toMatchObject({
      before: { answers: 4, thumbs_down: 3 },
      after: { answers: 2, thumbs_down: 0, rate: 0 },
      verdict: 'unclear',
      returned: false,
    });
  });

  it('lists a marked gap from its answers in a window where it has too few thumbs-down to group', async () => {
    const items = await gaps('from=2026-11-16&to=2026-11-20&tz=UTC');
    const canada = items.find((g) => g.question === 'Do you ship to Canada?');
    expect(canada?.answered).toMatchObject({
      before: { answers: 0, rate: null },
      after: { answers: 10, thumbs_down: 1 },
      verdict: 'unclear',
    });
  });

  it('keeps the mark on its gap when another wording becomes the most thumbed-down', async () => {
    const window = 'from=2026-11-21&to=2026-11-21&tz=UTC';
    const wider = 'from=2026-11-21&to=2026-11-22&tz=UTC';
    const id = await idOf('Do you sell gift cards?', window);
    expect(await idOf('Do you sell gift cards?', wider)).not.toBe(id); // the typo's key leads now
    expect((await mark(id, { at: Date.parse('2026-11-21T12:00:00Z') }, window)).status).toBe(200);
    const gap = (await gaps(wider)).find((g) => g.examples.includes('Do you sel gift cards?'));
    expect(gap).toMatchObject({ id, thumbs_down: 5, answered: { before: { answers: 2 }, after: { answers: 3 } } });
  });

  it('keeps marks across a new app (they are stored), and the latest change wins', async () => {
    const id = await idOf('Do you ship to Canada?');
    const later = T + 86_400_000;
    await Promise.all([mark(id, { at: T + 1000 }), mark(id, { at: T + 2000 })]);
    expect((await mark(id, { at: later, source_id: 'kb-2' })).status).toBe(200);
    app = createApiApp(env);
    const gap = (await gaps()).find((g) => g.id === id);
    expect(gap?.answered).toMatchObject({ at: new Date(later).toISOString(), source_id: 'kb-2' });
  });

  it('unmarks with DELETE (204), then 404 for a gap that is not marked', async () => {
    const id = await idOf('Is the jacket waterproof?');
    expect((await unmark(id)).status).toBe(204);
    expect((await gaps()).find((g) => g.id === id)?.answered).toBeNull();
    const again = await unmark(id);
    expect(again.status).toBe(404);
    expect(await code(again)).toBe('not_found');
  });

  it('answers 404 for an unknown gap or one of another workspace, and 4xx for bad input', async () => {
    const id = await idOf('Can I pay with Klarna?');
    expect(await code(await mark('0123456789abcdef', {}))).toBe('not_found');
    expect(await code(await mark(id, {}, WINDOW, other))).toBe('not_found');
    expect(await code(await mark('not-a-gap-id', {}))).toBe('invalid_query');
    expect(await code(await mark(id, { at: Date.now() + 3_600_000 }))).toBe('invalid_body');
    expect(await code(await mark(id, { at: 'yesterday' }))).toBe('invalid_body');
    expect(await code(await mark(id, { source_id: 'x'.repeat(129) }))).toBe('invalid_body');
    expect(await code(await mark(id, {}, 'from=2026-11-10&to=2026-11-20&tz=Mars/Base'))).toBe('invalid_tz');
    expect(await code(await get(`${WINDOW}&answered=maybe`))).toBe('invalid_query');
    const text = await app.request(`/v1/recommendations/knowledge-gaps/${id}/answered`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dt}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(415);
    const anon = await app.request(`/v1/recommendations/knowledge-gaps/${id}/answered`, { method: 'DELETE' });
    expect(anon.status).toBe(401);
  });
});
