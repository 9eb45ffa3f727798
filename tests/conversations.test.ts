// The conversations inbox and conversation detail, fed by the real worker step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { ConversationDetail, ConversationSummary } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, message, started, thumb } from './support/events.ts';
import { drain } from './support/pipeline.ts';

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let ingest: ReturnType<typeof createIngestApp>;
const dt = newToken('dashboard');
const sk = newToken('secret');
const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = '2026-11-20';
const at = (hh: number, mm = 0) =>
  Date.parse(`${DAY}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);
/** Nothing to wait for: the inbox's snapshot is what has been committed (ADR 0005). */
const settle = () => Promise.resolve();

beforeAll(async () => {
  env = await openTestEnv('conversations');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  api = createApiApp(env);
  ingest = createIngestApp({ ...env, now: () => NOW });
  await send([
    started('c1', at(1)),
    csat('c1', { score: 5 }, at(1, 30)),
    started('c2', at(2)),
    message('c2', 'c2-q', 'shopper', 'Does it come in blue?', at(2, 1)),
    message('c2', 'c2-a', 'assistant', 'Only in red.', at(2, 2)),
    thumb('c2', 'c2-a', 'down', at(2, 3)),
    csat('c2', { thumb: 'down' }, at(2, 5), { reason: 'Wrong colour advice' }),
    started('c3', at(3)),
    csat('c3', { score: 3 }, at(3, 5), { reason: 'meh' }),
    started('c4', at(4)),
    thumb('c4', 'c4-a', 'up', at(4, 1)),
    thumb('c4', 'c4-b', 'up', at(4, 2)),
    started('c5', at(5)),
    csat('c5', { thumb: 'down' }, at(5, 1), { reason: 'slow' }),
    csat('c5', { thumb: 'up' }, at(5, 9)), // resubmitted: positive now, no reason
  ]);
  await drain(env);
  await settle();
});
afterAll(() => env.cleanup());

async function send(events: object[]) {
  const res = await ingest.request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

async function list(query: string): Promise<{ items: ConversationSummary[]; next_cursor: string | null }> {
  const res = await api.request(`/v1/conversations?from=${DAY}&to=${DAY}&${query}`, {
    headers: { authorization: `Bearer ${dt}` },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as never;
}

const ids = (items: ConversationSummary[]) => items.map((i) => i.conversation_id);

describe('GET /v1/conversations', () => {
  it('lists conversations started in the range, newest first, with satisfaction per contract', async () => {
    const { items, next_cursor } = await list('');
    expect(next_cursor).toBeNull();
    expect(ids(items)).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    const byId = Object.fromEntries(items.map((i) => [i.conversation_id, i]));
    expect(byId.c1).toMatchObject({ satisfaction: 'positive', score: 5, negative_reason: null });
    expect(byId.c2).toEqual({
      conversation_id: 'c2',
      started_at: '2026-11-20T02:00:00.000Z',
      satisfaction: 'negative',
      score: 1,
      negative_reason: 'Wrong colour advice',
      thumbs_up: 0,
      thumbs_down: 1,
      version: 1,
      widget_id: null,
      locale: null,
      preview: 'Wrong colour advice',
      review: null,
    });
    expect(byId.c3).toMatchObject({ satisfaction: 'neutral', score: 3, negative_reason: null });
    expect(byId.c4).toMatchObject({ satisfaction: 'unknown', score: null, thumbs_up: 2, thumbs_down: 0 });
    expect(byId.c5).toMatchObject({ satisfaction: 'positive', score: 5, negative_reason: null });
  });

  it('a later rating without a reason clears the negative reason (found by the property test)', async () => {
    const next = (hh: number, mm: number) =>
      Date.parse(`2026-11-21T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);
    // Separate batches, so each rating is its own summary version.
    await send([
      started('r1', next(8, 0)),
      csat('r1', { score: 2 }, next(8, 1), { reason: 'wrong size' }),
      started('r2', next(9, 0)),
      csat('r2', { thumb: 'down' }, next(9, 1), { reason: 'slow' }),
    ]);
    await drain(env);
    await send([csat('r1', { score: 1 }, next(8, 2)), csat('r2', { thumb: 'up' }, next(9, 2))]);
    await drain(env);
    await settle();
    const res = await api.request('/v1/conversations?from=2026-11-21&to=2026-11-21', {
      headers: { authorization: `Bearer ${dt}` },
    });
    const items = ((await res.json()) as { items: ConversationSummary[] }).items;
    expect(items.find((i) => i.conversation_id === 'r1')).toMatchObject({ score: 1, negative_reason: null });
    expect(items.find((i) => i.conversation_id === 'r2')).toMatchObject({
      satisfaction: 'positive',
      negative_reason: null,
    });
  });

  it('filters by customer feedback; neutral appears only unfiltered', async () => {
    expect(ids((await list('feedback=upvote')).items)).toEqual(['c5', 'c1']);
    expect(ids((await list('feedback=downvote')).items)).toEqual(['c2']);
    expect(ids((await list('feedback=unknown')).items)).toEqual(['c4']);
  });

  it('pages with a cursor that neither skips nor repeats while conversations change', async () => {
    const first = await list('limit=2');
    expect(ids(first.items)).toEqual(['c5', 'c4']);
    // Meanwhile: a new conversation on the same day, and c1 learns of an earlier event.
    await send([started('c9', at(6)), message('c1', 'c1-early', 'shopper', 'hi', at(0, 30))]);
    await drain(env);
    await settle();
    const second = await list(`limit=2&cursor=${first.next_cursor}`);
    const third = await list(`limit=2&cursor=${second.next_cursor}`);
    expect(third.next_cursor).toBeNull();
    expect([...ids(first.items), ...ids(second.items), ...ids(third.items)]).toEqual(['c5', 'c4', 'c3', 'c2', 'c1']);
    // A fresh listing sees the new state.
    const fresh = await list('');
    expect(ids(fresh.items)).toEqual(['c9', 'c5', 'c4', 'c3', 'c2', 'c1']);
    expect(fresh.items.find((i) => i.conversation_id === 'c1')?.started_at).toBe('2026-11-20T00:30:00.000Z');
  });

  it('answers 400 for a bad cursor, limit or filter', async () => {
    for (const [query, code] of [
      ['cursor=nonsense', 'invalid_cursor'],
      ['limit=201', 'invalid_query'],
      ['feedback=neutral', 'invalid_query'],
    ]) {
      const res = await api.request(`/v1/conversations?${query}`, { headers: { authorization: `Bearer ${dt}` } });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('defaults to the last 30 days and needs a dashboard token', async () => {
    const res = await api.request('/v1/conversations', { headers: { authorization: `Bearer ${dt}` } });
    expect(res.status).toBe(200);
    expect((await api.request('/v1/conversations')).status).toBe(401);
  });
});

describe('GET /v1/conversations/{id}', () => {
  it('returns the transcript in ts order with current per-message feedback', async () => {
    await send([
      message('c7', 'q1', 'shopper', 'Do you ship to Canada?', at(7, 1)),
      message('c7', 'a1', 'assistant', 'Yes, in 5 days.', at(7, 2)),
      message('c7', 'q2', 'shopper', 'And returns?', at(7, 3)),
      message('c7', 'a2', 'assistant', 'Within 30 days.', at(7, 4)),
      thumb('c7', 'a1', 'up', at(7, 5)),
      thumb('c7', 'a1', 'down', at(7, 6)), // flipped
      thumb('c7', 'a2', 'up', at(7, 7)),
      thumb('c7', 'a2', 'none', at(7, 8)), // cleared
      thumb('c7', 'ghost', 'up', at(7, 0)), // known only from feedback
    ]);
    await drain(env);
    const res = await api.request('/v1/conversations/c7', { headers: { authorization: `Bearer ${dt}` } });
    expect(res.status).toBe(200);
    const detail = (await res.json()) as ConversationDetail;
    expect(detail).toMatchObject({ conversation_id: 'c7', satisfaction: 'unknown', thumbs_up: 1, thumbs_down: 1 });
    expect(detail.messages).toEqual([
      { message_id: 'ghost', role: null, text: null, ts: '2026-11-20T07:00:00.000Z', feedback: 'up' },
      {
        message_id: 'q1',
        role: 'shopper',
        text: 'Do you ship to Canada?',
        ts: '2026-11-20T07:01:00.000Z',
        feedback: null,
      },
      {
        message_id: 'a1',
        role: 'assistant',
        text: 'Yes, in 5 days.',
        ts: '2026-11-20T07:02:00.000Z',
        feedback: 'down',
      },
      { message_id: 'q2', role: 'shopper', text: 'And returns?', ts: '2026-11-20T07:03:00.000Z', feedback: null },
      { message_id: 'a2', role: 'assistant', text: 'Within 30 days.', ts: '2026-11-20T07:04:00.000Z', feedback: null },
    ]);
  });

  it('answers 404 not_found for an unknown conversation', async () => {
    const res = await api.request('/v1/conversations/nope', { headers: { authorization: `Bearer ${dt}` } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
