// Analyst SQL, deny by default: a corpus of hostile queries (tests/sql-hostile.cases.ts) is
// refused, or runs and sees only the caller's workspace — with a second workspace's rows,
// marked `secret_x`, in every analyst table. Also: the per-workspace gate and the response cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { ANALYST_SQL_CAPS, runAnalystSql, toDateTime64 } from '@thumbline/clickhouse';
import { newToken } from '@thumbline/redis';
import type { SqlResult } from '@thumbline/events';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { HOSTILE } from './sql-hostile.cases.ts';

let env: TestEnv;
let app: ReturnType<typeof createApiApp>;
const at = newToken('admin');
const atX = newToken('admin');
const T = Date.parse('2026-11-01T10:00:00Z');

async function seed(ws: string, mark: string) {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n + (ws === 'w' ? 0 : 100)).padStart(12, '0')}`;
  await env.ch.insert(
    'events',
    [1, 2].map((n) => ({
      workspace_id: ws,
      event_id: id(n),
      type: 'message.feedback',
      ts: toDateTime64(T + n),
      recv: String(n).padStart(20, '0'),
      conversation_id: `c_${mark}`,
      message_id: `m${n}_${mark}`,
      thumb: 'up',
      received_at: toDateTime64(T + n),
    })),
    { insert_deduplication_token: `hostile-events-${ws}` },
  );
  await env.ch.insert(
    'feedback_changes',
    [
      {
        workspace_id: ws,
        conversation_id: `c_${mark}`,
        message_id: `m_${mark}`,
        event_id: id(9),
        bucket: T / 1000,
        thumbs_up: 1,
        thumbs_down: 0,
        csat_sum: 0,
        csat_count: 0,
      },
    ],
    { insert_deduplication_token: `hostile-changes-${ws}` },
  );
  await env.ch.insert(
    'conversations',
    [
      {
        workspace_id: ws,
        conversation_id: `c_${mark}`,
        started_at: toDateTime64(T),
        thumbs_up: 1,
        thumbs_down: 0,
        version: 1,
        updated_at: toDateTime64(T),
      },
    ],
    { insert_deduplication_token: `hostile-conversations-${ws}` },
  );
}

beforeAll(async () => {
  env = await openTestEnv('sql_hostile');
  await env.store.addToken(at, { workspace_id: 'w', kind: 'admin' });
  await env.store.addToken(atX, { workspace_id: 'x', kind: 'admin' });
  app = createApiApp(env);
  await seed('w', 'own_w');
  await seed('x', 'secret_x');
});
afterAll(() => env.cleanup());

const post = (query: string, token = at) =>
  app.request('/v1/sql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });

describe('hostile analyst SQL', () => {
  it('has a corpus of at least 50 queries', () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(50);
  });

  it('workspace x has rows in every analyst table (so "own" results prove the filter)', async () => {
    for (const table of ['events', 'feedback_changes', 'feedback_15m', 'conversations']) {
      const rows = await env.ch.query<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE workspace_id = 'x'`);
      expect(Number(rows[0]?.n), table).toBeGreaterThan(0);
      const seen = (await (await post(`SELECT count() FROM ${table}`, atX)).json()) as SqlResult;
      expect(Number(seen.rows[0]?.[0]), table).toBeGreaterThan(0);
    }
  });

  for (const { query: template, expect: outcome } of HOSTILE) {
    it(`${outcome}: ${template}`, async () => {
      const query = template.replace('{db}', env.ch.database);
      const res = await post(query);
      const body = (await res.json()) as SqlResult & { error?: { code: string; message: string } };
      if (outcome === 'refused') {
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(body.error?.code).toBe('read_only');
        expect(body.error?.message).not.toMatch(/secret_x/);
        return;
      }
      expect(res.status, JSON.stringify(body)).toBe(200);
      const rows = JSON.stringify(body.rows);
      expect(rows).not.toMatch(/secret_x/);
      expect(rows).not.toMatch(/"x"/);
    });
  }

  it('counts only the caller rows in every table, joined or not', async () => {
    const res = await post(
      `SELECT (SELECT count() FROM events), (SELECT count() FROM feedback_changes), (SELECT count() FROM feedback_15m),
              (SELECT count() FROM conversations), (SELECT count() FROM events AS a, events AS b)`,
    );
    expect(((await res.json()) as SqlResult).rows).toEqual([['2', '1', '1', '1', '4']]);
  });
});

describe('analyst limits', () => {
  it('answers 429 rate_limited with Retry-After when the workspace already runs its share', async () => {
    const slow = 'SELECT sleep(1) FROM events LIMIT 1';
    const first = [post(slow), post(slow)];
    await new Promise((r) => setTimeout(r, 100));
    const third = await post(slow);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another workspace is not held up by w's queries.
    expect((await post('SELECT 1', atX)).status).toBe(200);
    for (const res of await Promise.all(first)) expect(res.status).toBe(200);
    expect((await post(slow)).status).toBe(200); // places are given back
  });

  it('refuses a result larger than max_response_bytes instead of building it', async () => {
    const caps = { ...ANALYST_SQL_CAPS, max_response_bytes: 10_000 };
    await expect(
      runAnalystSql(env.ch, { workspaceId: 'w', query: "SELECT repeat('a', 20000) FROM events", caps }),
    ).rejects.toMatchObject({ code: 'query_limit_exceeded', status: 400 });
    const ok = await runAnalystSql(env.ch, { workspaceId: 'w', query: "SELECT repeat('a', 100) FROM events", caps });
    expect(ok.rows).toHaveLength(2);
  });

  it('binds parameters the way ClickHouse binds them natively', async () => {
    const params = { s: "a\tb\\c'd\n\u0000e", arr: ["x'y", 'z\\', null], n: null, b: true, i: -42, f: 1.5 };
    const sql =
      'SELECT {s:String} AS s, {arr:Array(Nullable(String))} AS arr, {n:Nullable(UInt8)} AS n, {b:Bool} AS b, {i:Int32} AS i, {f:Float64} AS f';
    const native = await env.ch.query<Record<string, unknown>>(sql, params);
    const analyst = await runAnalystSql(env.ch, { workspaceId: 'w', query: sql, params });
    expect(Object.fromEntries(analyst.columns.map((c, i) => [c.name, analyst.rows[0]?.[i]]))).toEqual(native[0]);
  });
});
