// Triage (CONTRACT §12): reviews with versions under concurrent edits, their durability when
// Redis forgets them, the inbox's preview, review filter and full-text search, the overview's
// triage card, and the live `review` event, on real Redis, chDB and a gateway process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { connectLive, type LiveConnection } from '@thumbline/live-client';
import type { ConversationDetail, InboxItem, LiveReview, Overview, Review } from '@thumbline/events';
import { hashToken, newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, message, started } from './support/events.ts';
import { drain } from './support/pipeline.ts';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';

let env: TestEnv;
let api: ReturnType<typeof createApiApp>;
let gateway: { proc: Spawned; url: string };
const dt = newToken('dashboard');
const dt2 = newToken('dashboard');
const other = newToken('dashboard');
const sk = newToken('secret');
const skOther = newToken('secret');
const NOW = Date.parse('2026-11-24T12:00:00Z');
const DAY = '2026-11-20';
const PREV_DAY = '2026-11-19';
const at = (day: string, hh: number, mm = 0) =>
  Date.parse(`${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00Z`);

beforeAll(async () => {
  env = await openTestEnv('triage');
  for (const [ws, tokens] of [
    ['w', [dt, dt2, sk]],
    ['x', [other, skOther]],
  ] as const) {
    await env.store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: [] });
    for (const t of tokens)
      await env.store.addToken(t, { workspace_id: ws, kind: t.startsWith('sk') ? 'secret' : 'dashboard' });
  }
  api = createApiApp(env);
  await send(sk, [
    started('c1', at(DAY, 1)),
    message('c1', 'c1-q', 'shopper', 'Do you ship to Canada?', at(DAY, 1, 1)),
    message('c1', 'c1-a', 'assistant', 'We ship everywhere.', at(DAY, 1, 2)),
    csat('c1', { thumb: 'down' }, at(DAY, 1, 5), { reason: 'Wrong shipping info' }),
    started('c2', at(DAY, 2)),
    message('c2', 'c2-q', 'shopper', 'Ça COÛTE combien, la livraison ?', at(DAY, 2, 1)),
    message('c2', 'c2-a', 'assistant', 'Elle est gratuite dès 50 €.', at(DAY, 2, 2)),
    csat('c2', { score: 1 }, at(DAY, 2, 5)),
    started('c3', at(DAY, 3)),
    message('c3', 'c3-q', 'shopper', `Does this run true to size? ${'x'.repeat(200)}`, at(DAY, 3, 1)),
    csat('c3', { score: 5 }, at(DAY, 3, 5)),
    started('c4', at(DAY, 4)),
    csat('c4', { thumb: 'down' }, at(DAY, 4, 1), { reason: 'too slow' }),
    started('p1', at(PREV_DAY, 4)),
    csat('p1', { score: 2 }, at(PREV_DAY, 4, 1), { reason: 'never answered' }),
  ]);
  await send(sk, [csat('c4', { thumb: 'up' }, at(DAY, 4, 9))]); // c4: positive now, its reason gone
  await send(skOther, [
    started('c1', at(DAY, 1)),
    message('c1', 'x-q', 'shopper', 'Secret Canada plans', at(DAY, 1, 1)),
    csat('c1', { score: 1 }, at(DAY, 1, 2), { reason: 'other workspace' }),
  ]);
  const port = await freePort();
  gateway = {
    proc: spawnEntry('apps/gateway/src/main.ts', {
      REDIS_URL: env.redisUrl,
      THUMBLINE_REDIS_PREFIX: env.keys.prefix,
      ...(env.redisCluster ? { REDIS_CLUSTER: 'true' } : {}),
      PORT: String(port),
    }),
    url: `http://127.0.0.1:${port}`,
  };
  await gateway.proc.waitFor('gateway role ready');
});

afterAll(async () => {
  await gateway?.proc.stop();
  await env.cleanup();
});

async function send(key: string, events: object[]) {
  const res = await createIngestApp({ ...env, now: () => NOW }).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
  await drain(env);
}

const auth = (token = dt) => ({ authorization: `Bearer ${token}` });

function put(id: string, body: unknown, token = dt) {
  return api.request(`/v1/conversations/${encodeURIComponent(id)}/review`, {
    method: 'PUT',
    headers: { ...auth(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function del(id: string, query = '', token = dt) {
  return api.request(`/v1/conversations/${encodeURIComponent(id)}/review${query}`, {
    method: 'DELETE',
    headers: auth(token),
  });
}

async function detail(id: string, token = dt): Promise<ConversationDetail> {
  const res = await api.request(`/v1/conversations/${id}`, { headers: auth(token) });
  expect(res.status).toBe(200);
  return (await res.json()) as ConversationDetail;
}

async function list(query: string, token = dt): Promise<string[]> {
  const res = await api.request(`/v1/conversations?from=${PREV_DAY}&to=${DAY}&${query}`, { headers: auth(token) });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { items: InboxItem[] }).items.map((i) => i.conversation_id);
}

async function overview(query = ''): Promise<Overview> {
  const res = await api.request(`/v1/analytics/overview?from=${DAY}&to=${DAY}${query}`, { headers: auth() });
  expect(res.status).toBe(200);
  return (await res.json()) as Overview;
}

describe('previews', () => {
  it('show the negative reason, else the first shopper message, at most 140 characters', async () => {
    const res = await api.request(`/v1/conversations?from=${PREV_DAY}&to=${DAY}`, { headers: auth() });
    const items = ((await res.json()) as { items: InboxItem[] }).items;
    const preview = Object.fromEntries(items.map((i) => [i.conversation_id, i.preview]));
    expect(preview).toMatchObject({
      c1: 'Wrong shipping info',
      c2: 'Ça COÛTE combien, la livraison ?',
      c4: null, // rated up after its negative rating: no reason, and no message
      p1: 'never answered',
    });
    expect([...(preview.c3 ?? '')]).toHaveLength(140);
    expect(preview.c3).toMatch(/^Does this run true to size\? x+…$/);
    expect((await detail('c2')).preview).toBe('Ça COÛTE combien, la livraison ?');
  });
});

describe('PUT/DELETE /v1/conversations/{id}/review', () => {
  it('sets a review with the reviewer, shows it in the inbox and the conversation, and clears it', async () => {
    const res = await put('c1', { outcome: 'didnt_know', note: 'No shipping page for Canada' });
    expect(res.status).toBe(200);
    const review = (await res.json()) as Review;
    expect(review).toMatchObject({
      conversation_id: 'c1',
      outcome: 'didnt_know',
      note: 'No shipping page for Canada',
      reviewer: hashToken(dt).slice(0, review.reviewer.length),
      version: 1,
    });
    expect(review.reviewer.length).toBeGreaterThan(4);
    expect(Date.parse(review.reviewed_at)).toBeGreaterThan(Date.now() - 60_000);
    expect((await detail('c1')).review).toEqual(review);

    expect((await del('c1')).status).toBe(204);
    expect((await detail('c1')).review).toBeNull();
    // Clearing again changes nothing; the next change continues the version.
    expect((await del('c1')).status).toBe(204);
    const again = await put('c1', { outcome: 'no_issue', version: 2 });
    expect(again.status, await again.clone().text()).toBe(200);
    expect((await again.json()) as Review).toMatchObject({ version: 3, note: null, outcome: 'no_issue' });
  });

  it('refuses a stale version with 409 version_conflict and the current review', async () => {
    const res = await put('c1', { outcome: 'answered_weirdly', version: 1 });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string }; review: Review; version: number };
    expect(body.error.code).toBe('version_conflict');
    expect(body.version).toBe(3);
    expect(body.review).toMatchObject({ outcome: 'no_issue', version: 3 });
    expect((await del('c1', '?version=2')).status).toBe(409);
    expect((await detail('c1')).review?.outcome).toBe('no_issue');
  });

  it('of concurrent changes from the same version exactly one wins; without versions each gets its own', async () => {
    const base = (await detail('c1')).review?.version ?? 0;
    const outcomes = ['didnt_know', 'answered_weirdly', 'should_have_handed_over', 'no_issue'] as const;
    const racing = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        put('c1', { outcome: outcomes[i % 4], note: `r${i}`, version: base }, i % 2 ? dt2 : dt),
      ),
    );
    const statuses = racing.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const winner = (await racing.find((r) => r.status === 200)!.json()) as Review;
    expect(winner.version).toBe(base + 1);
    expect((await detail('c1')).review).toEqual(winner);

    const blind = await Promise.all(
      Array.from({ length: 12 }, (_, i) => put('c1', { outcome: outcomes[i % 4], note: `b${i}` })),
    );
    const reviews = await Promise.all(
      blind.map(async (r) => {
        expect(r.status).toBe(200);
        return (await r.json()) as Review;
      }),
    );
    const versions = reviews.map((r) => r.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => base + 2 + i));
    // Latest wins: what every read shows is the change with the greatest version.
    const last = reviews.find((r) => r.version === base + 13);
    expect((await detail('c1')).review).toEqual(last);
  });

  it('survives Redis forgetting the review: the version continues from ClickHouse', async () => {
    const before = (await detail('c1')).review as Review;
    await env.redis.del(env.keys.review('w', 'c1'));
    expect((await put('c1', { outcome: 'didnt_know', version: before.version - 1 })).status).toBe(409);
    const res = await put('c1', { outcome: 'didnt_know', version: before.version });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Review).version).toBe(before.version + 1);
  });

  it('answers 404 for an unknown conversation or another workspace, 400 for a bad body', async () => {
    expect((await put('nope', { outcome: 'no_issue' })).status).toBe(404);
    expect((await put('p1', { outcome: 'no_issue' }, other)).status).toBe(404);
    expect((await del('nope')).status).toBe(404);
    for (const body of [
      { outcome: 'bad' },
      { outcome: 'no_issue', note: 'n'.repeat(2001) },
      { outcome: 'no_issue', version: -1 },
      {},
    ]) {
      const res = await put('c2', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBeTruthy();
    }
    // Workspace x's c1 is another conversation: its review is its own.
    expect((await detail('c1', other)).review).toBeNull();
  });
});

describe('inbox filters', () => {
  it('filters by review outcome and by not reviewed, combined with feedback', async () => {
    expect((await put('p1', { outcome: 'should_have_handed_over' })).status).toBe(200);
    expect(await list('review=didnt_know')).toEqual(['c1']);
    expect(await list('review=should_have_handed_over')).toEqual(['p1']);
    expect(await list('review=no_issue')).toEqual([]);
    expect(await list('review=unreviewed')).toEqual(['c4', 'c3', 'c2']);
    expect(await list('review=unreviewed&feedback=downvote')).toEqual(['c2']);
    expect((await api.request(`/v1/conversations?review=maybe`, { headers: auth() })).status).toBe(400);
  });

  it('searches messages and the current negative reason: whole words, any case and accents, every word', async () => {
    expect(await list('q=canada')).toEqual(['c1']);
    expect(await list('q=CANADA')).toEqual(['c1']);
    expect(await list('q=can')).toEqual([]); // whole words only
    expect(await list('q=coute')).toEqual(['c2']); // accent-insensitive
    expect(await list(`q=${encodeURIComponent('Coûte LIVRAISON')}`)).toEqual(['c2']);
    // One word in a message, the other in the reason.
    expect(await list(`q=${encodeURIComponent('canada wrong')}`)).toEqual(['c1']);
    expect(await list(`q=${encodeURIComponent('canada gratuite')}`)).toEqual([]);
    expect(await list('q=slow')).toEqual([]); // c4's reason was replaced by a positive rating
    expect(await list('q=shipping&feedback=downvote&review=didnt_know')).toEqual(['c1']);
    expect(await list('q=shipping&review=unreviewed')).toEqual([]);
    // Only conversations started in the window: p1 started the day before DAY.
    expect(await list('q=never')).toEqual(['p1']);
    const inDay = await api.request(`/v1/conversations?from=${DAY}&to=${DAY}&q=never`, { headers: auth() });
    expect(((await inDay.json()) as { items: InboxItem[] }).items).toEqual([]);
    expect(await list('q=secret')).toEqual([]); // another workspace's words
    expect(await list('q=secret', other)).toEqual(['c1']);
    const tooMany = await api.request(`/v1/conversations?q=${Array.from({ length: 9 }, (_, i) => `w${i}`).join('+')}`, {
      headers: auth(),
    });
    expect(tooMany.status).toBe(400);
  });

  it('search uses the text index (not a scan)', async () => {
    const rows = await env.ch.query<{ explain: string }>(
      `EXPLAIN indexes = 1 SELECT conversation_id FROM events
        WHERE workspace_id = 'w' AND hasAnyTokens(lowerUTF8(removeDiacriticsUTF8(text)), ['canada'])`,
    );
    expect(rows.map((r) => r.explain).join('\n')).toMatch(/Name: text_search/);
  });
});

describe('overview triage card', () => {
  it('counts downvoted conversations, reviewed ones and outcomes, with the previous period', async () => {
    const o = await overview();
    // c1 (down, didnt_know) and c2 (score 1, unreviewed); c4 is positive now.
    expect(o.triage).toEqual({
      downvoted: 2,
      reviewed: 1,
      outcomes: { didnt_know: 1, answered_weirdly: 0, should_have_handed_over: 0, no_issue: 0 },
      previous: {
        from: PREV_DAY,
        to: PREV_DAY,
        downvoted: 1,
        reviewed: 1,
        outcomes: { didnt_know: 0, answered_weirdly: 0, should_have_handed_over: 1, no_issue: 0 },
      },
    });
    expect((await del('p1')).status).toBe(204);
    expect((await overview()).triage.previous.reviewed).toBe(0);
    expect((await overview('&widget_id=none')).triage.downvoted).toBe(0);
  });
});

describe('live review event', () => {
  it("reaches the workspace's dashboards within 1 s, and no other workspace's", async () => {
    const got: { at: number; r: LiveReview }[] = [];
    const gotOther: LiveReview[] = [];
    const open: LiveConnection[] = [];
    const connect = (token: string, onReview: (r: LiveReview) => void) =>
      new Promise<void>((ready) => {
        const c = connectLive({
          url: gateway.url,
          token,
          lastSeq: () => undefined,
          onDelta: () => {},
          onResync: () => {},
          onReview,
        });
        c.socket.on('hello', () => ready());
        open.push(c);
      });
    try {
      await connect(dt, (r) => got.push({ at: Date.now(), r }));
      await connect(other, (r) => gotOther.push(r));
      const t0 = Date.now();
      const res = await put('c2', { outcome: 'answered_weirdly', note: 'free shipping threshold wrong' });
      expect(res.status).toBe(200);
      const deadline = t0 + 1000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(got).toHaveLength(1);
      expect(got[0]!.at - t0).toBeLessThan(1000);
      const shown = (await detail('c2')).review;
      expect(got[0]!.r).toEqual({ conversation_id: 'c2', review: shown, version: shown?.version });
      expect((await del('c2')).status).toBe(204);
      const until = Date.now() + 1000;
      while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      expect(got[1]?.r).toEqual({ conversation_id: 'c2', review: null, version: (shown?.version ?? 0) + 1 });
      expect(gotOther).toEqual([]);
    } finally {
      for (const c of open) c.close();
    }
  });
});

describe('OpenAPI document', () => {
  it('describes the review routes, the inbox items and the triage card', () => {
    const doc = api.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'Thumbline', version: 'test' } });
    const review = doc.paths?.['/v1/conversations/{conversation_id}/review'];
    expect(Object.keys(review ?? {}).sort()).toEqual(['delete', 'put']);
    expect(Object.keys(review?.put?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '404', '409']));
    expect(Object.keys(doc.components?.schemas ?? {})).toEqual(
      expect.arrayContaining(['Review', 'ReviewBody', 'ReviewConflict', 'InboxItem', 'Triage', 'LiveReview']),
    );
    const list = doc.paths?.['/v1/conversations']?.get?.parameters?.map((p) => ('name' in p ? p.name : ''));
    expect(list).toEqual(expect.arrayContaining(['review', 'q', 'feedback']));
  });
});
