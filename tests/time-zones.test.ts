// Days in the viewer's zone: 15-minute UTC buckets rolled up at query time, checked at
// the edges of local days in zones with :30 and :45 offsets and on DST days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { Overview } from '@thumbline/events';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';
import { drain } from './support/pipeline.ts';

let env: TestEnv;
let n = 0;

beforeAll(async () => {
  env = await openTestEnv('tz');
});
afterAll(() => env.cleanup());

/** A fresh workspace with one thumb up at each instant; returns a query function. */
async function thumbsAt(instants: string[], wsTz = 'UTC') {
  const ws = `tz${++n}`;
  const sk = newToken('secret');
  const dt = newToken('dashboard');
  await env.store.saveWorkspace({ id: ws, tz: wsTz, allowed_origins: [] });
  await env.store.addToken(sk, { workspace_id: ws, kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: ws, kind: 'dashboard' });
  const last = Math.max(...instants.map((i) => Date.parse(i)));
  const ingest = createIngestApp({ ...env, now: () => last + 60_000 });
  const res = await ingest.request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      events: instants.flatMap((iso, i) => [thumb(`c${i}`, `m${i}`, 'up', iso), csat(`c${i}`, { score: i + 1 }, iso)]),
    }),
  });
  expect(res.status).toBe(202);
  await drain(env);
  const api = createApiApp(env);
  return async (from: string, to: string, tz?: string): Promise<Record<string, number>> => {
    const q = `from=${from}&to=${to}${tz ? `&tz=${encodeURIComponent(tz)}` : ''}`;
    const r = await api.request(`/v1/analytics/overview?${q}`, { headers: { authorization: `Bearer ${dt}` } });
    expect(r.status).toBe(200);
    const o = (await r.json()) as Overview;
    return Object.fromEntries(o.csat.daily.map((d) => [d.day, d.rated]));
  };
}

describe('days in the viewer zone', () => {
  it('Asia/Kolkata (+5:30): 18:29 UTC is still the day, 18:30 UTC is the next', async () => {
    const days = await thumbsAt(['2026-11-01T18:29:59Z', '2026-11-01T18:30:00Z']);
    expect(await days('2026-11-01', '2026-11-02', 'Asia/Kolkata')).toEqual({ '2026-11-01': 1, '2026-11-02': 1 });
    expect(await days('2026-11-01', '2026-11-02', 'UTC')).toEqual({ '2026-11-01': 2, '2026-11-02': 0 });
  });

  it('Asia/Kathmandu (+5:45): the day ends at 18:15 UTC', async () => {
    const days = await thumbsAt(['2026-11-01T18:14:59Z', '2026-11-01T18:15:00Z']);
    expect(await days('2026-11-01', '2026-11-02', 'Asia/Kathmandu')).toEqual({ '2026-11-01': 1, '2026-11-02': 1 });
    // 18:14 UTC is 23:44 in Kolkata (+5:30), 18:15 UTC is 23:45: both still Nov 1 there.
    expect(await days('2026-11-01', '2026-11-02', 'Asia/Kolkata')).toEqual({ '2026-11-01': 2, '2026-11-02': 0 });
  });

  it('America/New_York spring-forward day (23 hours) keeps its own edges', async () => {
    // 2026-03-08 starts 05:00 UTC (EST) and ends 04:00 UTC on 03-09 (EDT).
    const days = await thumbsAt([
      '2026-03-08T04:59:59Z',
      '2026-03-08T05:00:00Z',
      '2026-03-09T03:59:59Z',
      '2026-03-09T04:00:00Z',
    ]);
    expect(await days('2026-03-07', '2026-03-09', 'America/New_York')).toEqual({
      '2026-03-07': 1,
      '2026-03-08': 2,
      '2026-03-09': 1,
    });
  });

  it('America/New_York fall-back day (25 hours) keeps its own edges', async () => {
    // 2026-11-01 starts 04:00 UTC (EDT) and ends 05:00 UTC on 11-02 (EST).
    const days = await thumbsAt([
      '2026-11-01T03:59:59Z',
      '2026-11-01T04:00:00Z',
      '2026-11-02T04:59:59Z',
      '2026-11-02T05:00:00Z',
    ]);
    expect(await days('2026-10-31', '2026-11-02', 'America/New_York')).toEqual({
      '2026-10-31': 1,
      '2026-11-01': 2,
      '2026-11-02': 1,
    });
  });

  it('Australia/Lord_Howe half-hour DST end (a 24.5-hour day)', async () => {
    // 2026-04-05 starts 13:00 UTC on 04-04 (+11) and ends 13:30 UTC on 04-05 (+10:30).
    const days = await thumbsAt([
      '2026-04-04T12:59:59Z',
      '2026-04-04T13:00:00Z',
      '2026-04-05T13:29:59Z',
      '2026-04-05T13:30:00Z',
    ]);
    expect(await days('2026-04-04', '2026-04-06', 'Australia/Lord_Howe')).toEqual({
      '2026-04-04': 1,
      '2026-04-05': 2,
      '2026-04-06': 1,
    });
  });

  it("uses the workspace's zone when the query names none", async () => {
    const days = await thumbsAt(['2026-11-01T18:29:59Z', '2026-11-01T18:30:00Z'], 'Asia/Kolkata');
    expect(await days('2026-11-01', '2026-11-02')).toEqual({ '2026-11-01': 1, '2026-11-02': 1 });
  });
});
