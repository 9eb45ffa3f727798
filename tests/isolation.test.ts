// Two workspaces on one install: what one sends is invisible to the other through every
// dashboard endpoint and analyst SQL, and settings are per workspace. (The live gateway's
// isolation is in tests/live.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { Overview } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, message, thumb } from './support/events.ts';
import { drain } from './support/pipeline.ts';

let env: TestEnv;
const a = { sk: newToken('secret'), dt: newToken('dashboard') };
const b = { sk: newToken('secret'), dt: newToken('dashboard') };
const NOW = Date.now();
const DAY = new Date(NOW).toISOString().slice(0, 10);
const FROM = new Date(NOW - 86_400_000).toISOString().slice(0, 10);
const q = `from=${FROM}&to=${DAY}&tz=UTC`;

beforeAll(async () => {
  env = await openTestEnv('isolation');
  for (const [ws, t] of [
    ['wa', a],
    ['wb', b],
  ] as const) {
    await env.store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: [] });
    await env.store.addToken(t.sk, { workspace_id: ws, kind: 'secret' });
    await env.store.addToken(t.dt, { workspace_id: ws, kind: 'dashboard' });
  }
  const events = [];
  for (const c of ['c1', 'c2']) {
    events.push(
      message(c, `${c}-q`, 'shopper', 'Do you ship to Canada?', NOW - 5000),
      message(c, `${c}-a`, 'assistant', 'No.', NOW - 4000),
      thumb(c, `${c}-a`, 'down', NOW - 3000),
      csat(c, { thumb: 'down' }, NOW - 2000, { reason: 'secret reason' }),
    );
  }
  const res = await createIngestApp(env).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${a.sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
  await drain(env);
});
afterAll(() => env.cleanup());

const get = async (path: string, token: string) => {
  const res = await createApiApp(env).request(path, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('workspace isolation', () => {
  it('overview, inbox, detail and knowledge gaps of A are invisible to B', async () => {
    const overA = (await get(`/v1/analytics/overview?${q}`, a.dt)).body as unknown as Overview;
    const overB = (await get(`/v1/analytics/overview?${q}`, b.dt)).body as unknown as Overview;
    expect(overA.thumbs.down).toBe(2);
    expect(overB.thumbs.down).toBe(0);
    expect(overB.csat.rated).toBe(0);
    expect(((await get(`/v1/conversations?${q}`, a.dt)).body.items as unknown[]).length).toBe(2);
    expect((await get(`/v1/conversations?${q}`, b.dt)).body.items).toEqual([]);
    expect((await get('/v1/conversations/c1', a.dt)).status).toBe(200);
    expect((await get('/v1/conversations/c1', b.dt)).status).toBe(404);
    expect(((await get(`/v1/recommendations/knowledge-gaps?${q}`, a.dt)).body.items as unknown[]).length).toBe(1);
    expect((await get(`/v1/recommendations/knowledge-gaps?${q}`, b.dt)).body.items).toEqual([]);
  });

  it("analyst SQL with B's admin token sees none of A's rows, whatever the query says", async () => {
    const adminB = newToken('admin');
    await env.store.addToken(adminB, { workspace_id: 'wb', kind: 'admin' });
    const res = await createApiApp(env).request('/v1/sql', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminB}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          "SELECT (SELECT count() FROM events WHERE workspace_id = 'wa') AS a_events, " +
          "(SELECT count() FROM conversations WHERE workspace_id = 'wa') AS a_conversations, " +
          "(SELECT count() FROM feedback_15m WHERE workspace_id = 'wa') AS a_buckets",
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[][] }).rows).toEqual([['0', '0', '0']]);
  });

  it('settings of A do not change B', async () => {
    const api = createApiApp(env);
    const put = await api.request('/v1/settings/widgets/default', {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.dt}`, 'content-type': 'application/json' },
      body: JSON.stringify({ csat_enabled: false }),
    });
    expect(put.status).toBe(200);
    expect((await get('/v1/settings/widgets/default', a.dt)).body.csat_enabled).toBe(false);
    expect((await get('/v1/settings/widgets/default', b.dt)).body.csat_enabled).toBe(true);
  });

  it('a key of one workspace never acts for another: the workspace comes from the key, not the body', async () => {
    const res = await createIngestApp(env).request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${b.sk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...thumb('c9', 'm9', 'up', NOW), workspace_id: 'wa' }),
    });
    expect(res.status).toBe(202);
    await drain(env);
    const overA = (await get(`/v1/analytics/overview?${q}`, a.dt)).body as unknown as Overview;
    const overB = (await get(`/v1/analytics/overview?${q}`, b.dt)).body as unknown as Overview;
    expect(overA.thumbs.up).toBe(0);
    expect(overB.thumbs.up).toBe(1);
  });
});
