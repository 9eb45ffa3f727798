// POST /v1/sql: one read-only SELECT under caps the caller cannot lift, on real ClickHouse.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { ANALYST_SQL_CAPS, runAnalystSql, toDateTime64 } from '@thumbline/clickhouse';
import { newToken } from '@thumbline/redis';
import type { SqlResult } from '@thumbline/events';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
let app: ReturnType<typeof createApiApp>;
const at = newToken('admin');
const dt = newToken('dashboard');
const OUTFILE = `/tmp/thumbline-sql-test-${process.pid}`;

const event = (workspace_id: string, n: number, thumb: 'up' | 'down') => ({
  workspace_id,
  event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  type: 'message.feedback',
  ts: toDateTime64(Date.parse('2026-11-01T10:00:00Z') + n * 1000),
  recv: String(n).padStart(20, '0'),
  conversation_id: 'c',
  message_id: `m${n}`,
  thumb,
  score: thumb === 'up' ? 5 : 1,
  received_at: toDateTime64(Date.parse('2026-11-01T10:00:00Z') + n * 1000),
});

beforeAll(async () => {
  env = await openTestEnv('sql');
  await env.store.addToken(at, { workspace_id: 'w', kind: 'admin' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  app = createApiApp(env);
  await env.ch.insert(
    'events',
    [event('w', 1, 'up'), event('w', 2, 'up'), event('w', 3, 'down'), event('x', 4, 'up')],
    {
      insert_deduplication_token: 'sql-seed-events',
    },
  );
  const row = { conversation_id: 'c', message_id: 'm', event_id: '00000000-0000-4000-8000-000000000000' };
  const bucket = (iso: string) => Date.parse(iso) / 1000;
  await env.ch.insert(
    'feedback_changes',
    [
      {
        ...row,
        workspace_id: 'w',
        bucket: bucket('2026-11-01T10:00:00Z'),
        thumbs_up: 2,
        thumbs_down: 1,
        csat_sum: 0,
        csat_count: 0,
      },
      {
        ...row,
        workspace_id: 'w',
        bucket: bucket('2026-11-02T10:00:00Z'),
        thumbs_up: 0,
        thumbs_down: 1,
        csat_sum: 4,
        csat_count: 1,
      },
      {
        ...row,
        workspace_id: 'x',
        bucket: bucket('2026-11-01T10:00:00Z'),
        thumbs_up: 9,
        thumbs_down: 0,
        csat_sum: 0,
        csat_count: 0,
      },
    ],
    { insert_deduplication_token: 'sql-seed-changes' },
  );
});
afterAll(() => env.cleanup());

const post = (body: unknown, token: string | null = at) =>
  app.request('/v1/sql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

async function error(res: Response) {
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

const countEvents = async () => Number((await env.ch.query<{ n: string }>('SELECT count() AS n FROM events'))[0]?.n);
const mainReadonly = async () =>
  (await env.ch.query<{ value: string }>("SELECT value FROM system.settings WHERE name = 'readonly'"))[0]?.value;

describe('POST /v1/sql', () => {
  it('runs a SELECT on events with {name:Type} params', async () => {
    const res = await post({
      query: `SELECT thumb, count() AS n FROM events
               WHERE workspace_id = {ws:String} AND ts >= {from:DateTime64(3, 'UTC')}
               GROUP BY thumb ORDER BY thumb`,
      params: { ws: 'w', from: '2026-11-01 00:00:00' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SqlResult;
    expect(body.columns).toEqual([
      { name: 'thumb', type: 'LowCardinality(String)' },
      { name: 'n', type: 'UInt64' },
    ]);
    expect(body.rows).toEqual([
      ['down', '1'],
      ['up', '2'],
    ]);
    expect(body.rows_read).toBeGreaterThan(0);
    expect(body.elapsed_ms).toBeGreaterThanOrEqual(0);
  });

  it('runs a SELECT on feedback_15m, and binds arrays, nulls and booleans', async () => {
    const res = await post({
      query: `SELECT toString(toDate(bucket, {tz:String})) AS day, sum(thumbs_up) AS up, sum(thumbs_down) AS down
                FROM feedback_15m WHERE workspace_id IN {ws:Array(String)} AND {on:Bool} AND {none:Nullable(String)} IS NULL
               GROUP BY day ORDER BY day`,
      params: { tz: 'UTC', ws: ['w'], on: true, none: null },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SqlResult;
    expect(body.columns.map((c) => c.name)).toEqual(['day', 'up', 'down']);
    expect(body.rows).toEqual([
      ['2026-11-01', '2', '1'],
      ['2026-11-02', '0', '1'],
    ]);
  });

  it('keeps 64-bit integers and decimals exact as strings', async () => {
    const res = await post({
      query:
        "SELECT toUInt64(18446744073709551615) AS u, toDecimal128('0.100000000000000000000000000001', 30) AS d, 1.5 AS f",
    });
    expect(((await res.json()) as SqlResult).rows).toEqual([
      ['18446744073709551615', '0.100000000000000000000000000001', 1.5],
    ]);
  });

  it('refuses a dashboard token and no token', async () => {
    for (const token of [dt, null]) {
      const res = await post({ query: 'SELECT 1' }, token);
      expect(res.status).toBe(401);
      expect((await error(res)).code).toBe('unauthorized');
    }
  });

  it('answers 400 invalid_body for a bad body', async () => {
    for (const body of [
      {},
      { query: '' },
      { query: 'SELECT 1', params: { x: { a: 1 } } },
      { query: 'SELECT 1', params: { 'a b': 1 } },
      { query: 'SELECT {x:UInt64}', params: { x: 1e20 } }, // chDB cannot bind it exactly
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await error(res)).code, JSON.stringify(body)).toBe('invalid_body');
    }
  });

  it('answers a body that is not JSON with 400 invalid_json or 415, not a 500', async () => {
    const send = (headers: Record<string, string>, body?: string) =>
      app.request('/v1/sql', { method: 'POST', headers: { authorization: `Bearer ${at}`, ...headers }, body });
    const cases: [Record<string, string>, string | undefined, number, string][] = [
      [{ 'content-type': 'application/json' }, '{"query": ', 400, 'invalid_json'],
      [{ 'content-type': 'application/json' }, undefined, 400, 'invalid_json'],
      [{ 'content-type': 'text/plain' }, '{"query":"SELECT 1"}', 415, 'unsupported_media_type'],
      [{}, '{"query":"SELECT 1"}', 415, 'unsupported_media_type'],
    ];
    for (const [headers, body, status, code] of cases) {
      const res = await send(headers, body);
      expect(res.status, body).toBe(status);
      expect((await error(res)).code, body).toBe(code);
    }
    const ok = await send({ 'content-type': 'application/json; charset=utf-8' }, '{"query":"SELECT 1 AS x"}');
    expect(ok.status).toBe(200);
  });

  it('refuses everything but one read-only SELECT with 400 read_only', async () => {
    const before = await countEvents();
    const hostile = [
      "INSERT INTO events (workspace_id, event_id) VALUES ('w', generateUUIDv4())",
      'ALTER TABLE events DELETE WHERE 1',
      'DROP TABLE events',
      'CREATE TABLE pwned (a UInt8) ENGINE = Memory',
      'SELECT 1; DROP TABLE events',
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM url('http://127.0.0.1:1/x', 'LineAsString')",
      "SELECT getSetting('max_execution_time') AS t SETTINGS max_execution_time = 1000",
      "SELECT * FROM (SELECT getSetting('max_execution_time') AS t SETTINGS max_execution_time = 1000)",
      'WITH t AS (SELECT 1 AS x SETTINGS max_threads = 64) SELECT * FROM t',
      'SELECT * FROM view(SELECT 1 SETTINGS max_execution_time = 1000)',
      'SET readonly = 0',
      'SYSTEM SHUTDOWN',
      'KILL QUERY WHERE 1',
      'OPTIMIZE TABLE events',
      `SELECT 1 INTO OUTFILE '${OUTFILE}'`,
      'SELECT 1 FORMAT CSV',
      // The scalar file() reads host files even under readonly = 1.
      "SELECT file('/etc/passwd') AS f",
      // Attempts to close the wrapping subquery and comment out the caps after it.
      "SELECT getSetting('readonly') AS r) --",
      "SELECT 1 AS x) AS a, file('/etc/passwd', 'LineAsString') AS f --",
      'SELECT 1) /*',
      "SELECT 1); SELECT getSetting('readonly') FROM (SELECT 1",
      // The embedded engine runs `;`-separated statements: this INSERT ran before formatQuery guarded it.
      "SELECT 1); INSERT INTO events (workspace_id, event_id) VALUES ('w', generateUUIDv4()); SELECT 1 FROM (SELECT 1",
    ];
    for (const query of hostile) {
      const res = await post({ query });
      expect(res.status, query).toBe(400);
      expect((await error(res)).code, query).toBe('read_only');
    }
    expect(await countEvents()).toBe(before);
    expect(existsSync(OUTFILE)).toBe(false);
  });

  it('says why a SETTINGS clause is refused', async () => {
    const res = await post({ query: 'SELECT 1 SETTINGS max_result_rows = 0' });
    expect(await error(res)).toEqual({ code: 'read_only', message: expect.stringMatching(/SETTINGS/) });
  });

  it('answers 400 query_limit_exceeded when a cap is hit', async () => {
    // Only the analyst tables can be read, so the caps are shrunk to what they hold.
    const run = (query: string, caps: Partial<typeof ANALYST_SQL_CAPS>) =>
      runAnalystSql(env.ch, { workspaceId: 'w', query, caps: { ...ANALYST_SQL_CAPS, ...caps } });
    const capped: [string, Partial<typeof ANALYST_SQL_CAPS>][] = [
      ['SELECT * FROM events', { max_result_rows: 1 }], // result rows
      ['SELECT count() FROM events', { max_rows_to_read: 1 }], // rows read
      ["SELECT groupArray(repeat('x', 1000000)) FROM events AS a, events AS b", { max_memory_usage: 4_000_000 }], // memory
    ];
    for (const [query, caps] of capped) {
      await expect(run(query, caps), query).rejects.toMatchObject({ code: 'query_limit_exceeded', status: 400 });
    }
    expect((await run('SELECT * FROM events', {})).rows.length).toBeGreaterThan(1);
  });

  it('stops a query at max_execution_time', async () => {
    const caps = { ...ANALYST_SQL_CAPS, max_execution_time: 1 };
    await expect(
      runAnalystSql(env.ch, { workspaceId: 'w', query: 'SELECT sleep(2) FROM events LIMIT 1', caps }),
    ).rejects.toMatchObject({ code: 'query_limit_exceeded', status: 400 });
  });

  it('reads only the caller workspace, only analyst tables, and no table functions', async () => {
    const own = (await (
      await post({ query: 'SELECT DISTINCT workspace_id FROM feedback_changes' })
    ).json()) as SqlResult;
    expect(own.rows).toEqual([['w']]); // workspace x's rows are filtered out by ClickHouse
    for (const query of [
      'SELECT count() FROM no_such_table',
      'SELECT * FROM system.parts',
      "SELECT * FROM merge(currentDatabase(), '^feedback')",
      'SELECT * FROM numbers(10)',
    ]) {
      const res = await post({ query });
      expect(res.status, query).toBe(400);
      expect((await error(res)).code, query).toBe('read_only');
    }
  });

  it('answers 400 query_failed for an unknown table, column or parameter', async () => {
    const failing: [string, Record<string, unknown>?][] = [
      ['SELECT no_such_column FROM events'],
      ['SELECT {x:UInt32} AS x'],
      ['SELECT {x:UInt32} AS x', { x: 'not a number' }],
    ];
    for (const [query, params] of failing) {
      const res = await post({ query, params });
      expect(res.status, query).toBe(400);
      const e = await error(res);
      expect(e.code, query).toBe('query_failed');
      expect(e.message).not.toMatch(/\n/);
    }
  });

  it('leaves no caps, no readonly and no partial output behind for the next call', async () => {
    // A cap hit after output began, a readonly refusal, and a failure mid-stream.
    for (const query of [
      'SELECT arrayJoin(range(100000)) AS n FROM events',
      "SELECT * FROM file('/etc/passwd', 'LineAsString')",
      "SELECT * FROM events AS a, events AS b, events AS c WHERE throwIf(rowNumberInAllBlocks() = 20, 'boom') = 0",
    ]) {
      expect((await post({ query })).status, query).toBe(400);
      const before = await countEvents();
      await env.ch.insert('events', [event('w', 5 + before, 'up')], { insert_deduplication_token: `after-${before}` });
      expect(await countEvents()).toBe(before + 1);
      expect(await mainReadonly()).toBe('0');
      expect(await env.ch.query('SELECT 7 AS x')).toEqual([{ x: 7 }]);
      const next = (await (await post({ query: 'SELECT 7 AS x' })).json()) as SqlResult;
      expect(next.rows).toEqual([[7]]);
    }
  });
});
