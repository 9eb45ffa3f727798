// Analysts never slow dashboards: an analyst query that runs into its time cap must not
// hold up dashboard queries (chDB runs parameterised queries one at a time process-wide).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { ANALYST_SQL_CAPS, toDateTime64 } from '@thumbline/clickhouse';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
let app: ReturnType<typeof createApiApp>;
const at = newToken('admin');
const dt = newToken('dashboard');

beforeAll(async () => {
  env = await openTestEnv('sql_lane');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(at, { workspace_id: 'w', kind: 'admin' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  app = createApiApp(env);
  const base = Date.parse('2026-11-01T10:00:00Z');
  await env.ch.insert(
    'events',
    [1, 2, 3].map((n) => ({
      workspace_id: 'w',
      event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      type: 'message.feedback',
      ts: toDateTime64(base + n),
      recv: String(n).padStart(20, '0'),
      conversation_id: 'c',
      message_id: `m${n}`,
      thumb: 'up',
      received_at: toDateTime64(base + n),
    })),
    { insert_deduplication_token: 'lane-seed' },
  );
});
afterAll(() => env.cleanup());

const sql = (body: unknown) =>
  app.request('/v1/sql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${at}` },
    body: JSON.stringify(body),
  });

/** CPU-bound on analyst tables only, with a parameter: it runs until max_execution_time stops it. */
const SLOW = {
  query: `SELECT count() FROM events AS e,
            (SELECT arrayJoin(range(100000)) AS x FROM events) AS a,
            (SELECT arrayJoin(range(100000)) AS y FROM events) AS b
          WHERE cityHash64(x, y) % 7 = {seven:UInt8}`,
  params: { seven: 3 },
};

async function overviewMs(): Promise<number> {
  const started = performance.now();
  const res = await app.request('/v1/analytics/overview?from=2026-11-01&to=2026-11-07', {
    headers: { authorization: `Bearer ${dt}` },
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return performance.now() - started;
}

describe('analyst lane', () => {
  it(
    'keeps dashboard queries fast while an analyst query runs into its time cap',
    async () => {
      await overviewMs(); // warm
      const idle: number[] = [];
      for (let i = 0; i < 10; i++) idle.push(await overviewMs());
      const started = performance.now();
      const analyst = sql(SLOW);
      await new Promise((r) => setTimeout(r, 500)); // let it reach the engine
      const busy: number[] = [];
      while (performance.now() - started < 6_000) {
        busy.push(await overviewMs());
        await new Promise((r) => setTimeout(r, 100));
      }
      const res = await analyst;
      const analystMs = performance.now() - started;
      const body = (await res.json()) as { error?: { code: string } };
      const p = (xs: number[], q: number) =>
        [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;
      const figures = {
        idle_p50_ms: Math.round(p(idle, 0.5)),
        busy_n: busy.length,
        busy_p50_ms: Math.round(p(busy, 0.5)),
        busy_max_ms: Math.round(Math.max(...busy)),
        analyst_ms: Math.round(analystMs),
        analyst_status: res.status,
        analyst_code: body.error?.code,
      };
      console.log('dashboard latency while an analyst query hits its cap', JSON.stringify(figures));
      expect(res.status).toBe(400);
      expect(body.error?.code).toBe('query_limit_exceeded');
      expect(analystMs).toBeGreaterThan(ANALYST_SQL_CAPS.max_execution_time * 1000 * 0.8);
      expect(busy.length).toBeGreaterThan(10);
      expect(Math.max(...busy)).toBeLessThan(1_000);
    },
    ANALYST_SQL_CAPS.max_execution_time * 1000 + 20_000,
  );
});
