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

/**
 * Both workspaces' rows go in one insert per table, so they share a part and a granule: the
 * layout of any busy install, and the one in which a filter applied after the read leaked.
 * `x`'s rows carry the marker `secret_x` in every string column an expression could cast.
 */
async function seed() {
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const both = [
    { ws: 'w', mark: 'own_w', base: 0 },
    { ws: 'x', mark: 'secret_x', base: 100 },
  ];
  await env.ch.insert(
    'events',
    both.flatMap(({ ws, mark, base }) =>
      [1, 2].map((n) => ({
        workspace_id: ws,
        event_id: id(base + n),
        type: 'message.feedback',
        ts: toDateTime64(T + n),
        recv: String(base + n).padStart(20, '0'),
        conversation_id: `c_${mark}`,
        widget_id: `wd_${mark}`,
        message_id: `m${n}_${mark}`,
        text: `text_${mark}`,
        reason: `reason_${mark}`,
        thumb: 'up',
        sources: [{ id: `src_${mark}`, title: `title_${mark}`, url: `https://example.com/${mark}` }],
        received_at: toDateTime64(T + n),
      })),
    ),
    { insert_deduplication_token: 'hostile-events' },
  );
  await env.ch.insert(
    'feedback_changes',
    both.map(({ ws, mark, base }) => ({
      workspace_id: ws,
      conversation_id: `c_${mark}`,
      message_id: `m_${mark}`,
      event_id: id(base + 9),
      bucket: T / 1000,
      widget_id: `wd_${mark}`,
      thumbs_up: 1,
      thumbs_down: 0,
      csat_sum: 0,
      csat_count: 0,
    })),
    { insert_deduplication_token: 'hostile-changes' },
  );
  await env.ch.insert(
    'conversations',
    both.map(({ ws, mark }) => ({
      workspace_id: ws,
      conversation_id: `c_${mark}`,
      started_at: toDateTime64(T),
      score: 1,
      negative_reason: `reason_${mark}`,
      thumbs_up: 1,
      thumbs_down: 0,
      version: 1,
      updated_at: toDateTime64(T),
    })),
    { insert_deduplication_token: 'hostile-conversations' },
  );
}

beforeAll(async () => {
  env = await openTestEnv('sql_hostile');
  await env.store.addToken(at, { workspace_id: 'w', kind: 'admin' });
  await env.store.addToken(atX, { workspace_id: 'x', kind: 'admin' });
  app = createApiApp(env);
  await seed();
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
      if (outcome === 'no-leak') {
        expect([200, 400], JSON.stringify(body)).toContain(res.status);
        expect(JSON.stringify(body)).not.toMatch(/secret_x/);
        if (res.status === 200) expect(JSON.stringify(body.rows)).not.toMatch(/"x"/);
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

describe('what an answer says besides its rows', () => {
  it("rows_read counts the caller's rows only, however many rows of others share their part", async () => {
    const query = 'SELECT count() FROM events AS a JOIN conversations AS c ON a.conversation_id = c.conversation_id';
    const before = (await (await post(query)).json()) as SqlResult;
    // w's events (2) and conversations (1), each read once.
    expect(before.rows_read).toBe(3);
    // Another insert that puts x's rows next to w's: same answer, same rows_read.
    await env.ch.insert(
      'events',
      ['w', 'x', 'x', 'x'].map((ws, n) => ({
        workspace_id: ws,
        event_id: `00000000-0000-4000-8000-${String(500 + n).padStart(12, '0')}`,
        type: 'message.feedback',
        ts: toDateTime64(T + 500 + n),
        recv: String(500 + n).padStart(20, '0'),
        conversation_id: ws === 'w' ? 'c_late_w' : `c_secret_x_${n}`,
        thumb: 'down',
        received_at: toDateTime64(T + 500 + n),
      })),
      { insert_deduplication_token: 'hostile-events-shared' },
    );
    const after = (await (await post(query)).json()) as SqlResult;
    expect(after.rows).toEqual(before.rows);
    expect(after.rows_read).toBe(4); // w's third event only
  });

  it("an error-or-not oracle on another workspace's values answers the same as one on values nobody has", async () => {
    const probe = async (value: string) => {
      const res = await post(`SELECT count() FROM events WHERE throwIf(conversation_id = '${value}') = 0`);
      return { status: res.status, rows: ((await res.json()) as SqlResult).rows };
    };
    const known = await probe('c_secret_x');
    const unknown = await probe('c_nobody_has_this');
    expect(known).toEqual(unknown);
    expect(known.status).toBe(200);
    // ...while the same probe on the caller's own value does answer (the oracle works on own rows only).
    expect((await post("SELECT count() FROM events WHERE throwIf(conversation_id = 'c_own_w') = 0")).status).toBe(400);
  });

  it("keeps error text to the analyst's own query: no plan, no internal database names", async () => {
    const res = await post('SELECT toUInt64(reason) FROM events');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(res.status).toBe(400);
    expect(body.error.message).toMatch(/reason_own_w/); // the analyst's own row
    expect(body.error.message).not.toMatch(/while executing|__table|_analyst_|SETTINGS/);
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
    const ok = await runAnalystSql(env.ch, {
      workspaceId: 'w',
      query: "SELECT repeat('a', 100) FROM events LIMIT 2",
      caps,
    });
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
