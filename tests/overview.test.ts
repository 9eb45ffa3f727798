// GET /v1/analytics/overview: auth, query errors and the response shape, on real ClickHouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { newToken } from '@thumbline/redis';
import { addDays, todayIn, type Overview } from '@thumbline/events';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
let app: ReturnType<typeof createApiApp>;
const dt = newToken('dashboard');
const sk = newToken('secret');

beforeAll(async () => {
  env = await openTestEnv('overview');
  await env.store.saveWorkspace({ id: 'w', tz: 'Asia/Kolkata', allowed_origins: [] });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  app = createApiApp(env);
  // Two buckets: 2026-11-01 18:15 UTC is 23:45 in Kolkata (Nov 1); 18:30 UTC is 00:00 Nov 2 there.
  const bucket = (iso: string) => Date.parse(iso) / 1000;
  const row = {
    workspace_id: 'w',
    conversation_id: 'c',
    message_id: 'm',
    event_id: '00000000-0000-4000-8000-000000000000',
  };
  await env.ch.insert(
    'feedback_changes',
    [
      { ...row, bucket: bucket('2026-11-01T18:15:00Z'), thumbs_up: 1, thumbs_down: 0, csat_sum: 4, csat_count: 1 },
      { ...row, bucket: bucket('2026-11-01T18:30:00Z'), thumbs_up: 0, thumbs_down: 1, csat_sum: 5, csat_count: 1 },
      { ...row, bucket: bucket('2026-10-30T12:00:00Z'), thumbs_up: 3, thumbs_down: 1, csat_sum: 0, csat_count: 0 },
    ],
    { insert_deduplication_token: 'overview-seed' },
  );
});
afterAll(() => env.cleanup());

const get = (query: string, token = dt) =>
  app.request(`/v1/analytics/overview?${query}`, { headers: { authorization: `Bearer ${token}` } });

async function code(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('GET /v1/analytics/overview', () => {
  it('rolls buckets into days of the workspace zone by default, with every day and the previous window', async () => {
    const res = await get('from=2026-11-01&to=2026-11-02');
    expect(res.status).toBe(200);
    const o = (await res.json()) as Overview;
    expect(o).toEqual({
      from: '2026-11-01',
      to: '2026-11-02',
      tz: 'Asia/Kolkata',
      live_seq: 0,
      csat: {
        average: 4.5,
        rated: 2,
        prompted: 0,
        response_rate: null,
        daily: [
          {
            day: '2026-11-01',
            average: 4,
            rated: 1,
            csat_sum: 4,
            thumbs_up: 1,
            thumbs_down: 0,
            prompted: 0,
            responded: 0,
          },
          {
            day: '2026-11-02',
            average: 5,
            rated: 1,
            csat_sum: 5,
            thumbs_up: 0,
            thumbs_down: 1,
            prompted: 0,
            responded: 0,
          },
        ],
      },
      thumbs: {
        up: 1,
        down: 1,
        up_pct: 50,
        down_pct: 50,
        previous: { from: '2026-10-30', to: '2026-10-31', up: 3, down: 1, up_pct: 75, down_pct: 25 },
      },
      // No negative CSAT here (tests/triage.test.ts counts them).
      triage: {
        downvoted: 0,
        reviewed: 0,
        outcomes: { didnt_know: 0, answered_weirdly: 0, should_have_handed_over: 0, no_issue: 0 },
        previous: {
          from: '2026-10-30',
          to: '2026-10-31',
          downvoted: 0,
          reviewed: 0,
          outcomes: { didnt_know: 0, answered_weirdly: 0, should_have_handed_over: 0, no_issue: 0 },
        },
      },
    });
  });

  it('uses the requested zone: in UTC both buckets fall on Nov 1', async () => {
    const o = (await (await get('from=2026-11-01&to=2026-11-02&tz=UTC')).json()) as Overview;
    expect(o.csat.daily).toEqual([
      {
        day: '2026-11-01',
        average: 4.5,
        rated: 2,
        csat_sum: 9,
        thumbs_up: 1,
        thumbs_down: 1,
        prompted: 0,
        responded: 0,
      },
      {
        day: '2026-11-02',
        average: null,
        rated: 0,
        csat_sum: 0,
        thumbs_up: 0,
        thumbs_down: 0,
        prompted: 0,
        responded: 0,
      },
    ]);
  });

  it('answers nulls when nothing was rated and there are no thumbs', async () => {
    const o = (await (await get('from=2025-01-01&to=2025-01-01')).json()) as Overview;
    expect(o.csat).toEqual({
      average: null,
      rated: 0,
      prompted: 0,
      response_rate: null,
      daily: [
        {
          day: '2025-01-01',
          average: null,
          rated: 0,
          csat_sum: 0,
          thumbs_up: 0,
          thumbs_down: 0,
          prompted: 0,
          responded: 0,
        },
      ],
    });
    expect(o.thumbs).toMatchObject({ up: 0, down: 0, up_pct: null, down_pct: null });
  });

  it('refuses other tokens', async () => {
    for (const token of ['dt_nope', sk]) {
      const res = await get('from=2026-11-01&to=2026-11-02', token);
      expect(res.status).toBe(401);
      expect(await code(res)).toBe('unauthorized');
    }
  });

  it('answers 400 invalid_query, invalid_tz and range_too_large', async () => {
    const cases: [string, string][] = [
      ['from=2099-11-01', 'invalid_query'],
      ['from=2026-02-30&to=2026-03-01', 'invalid_query'],
      ['from=2026-11-02&to=2026-11-01', 'invalid_query'],
      ['from=2026-11-01&to=2026-11-02&tz=Mars/Olympus', 'invalid_tz'],
      ['from=2025-01-01&to=2026-02-05', 'range_too_large'],
    ];
    for (const [query, expected] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(await code(res), query).toBe(expected);
    }
    expect((await get('from=2025-01-01&to=2026-02-04')).status).toBe(200); // exactly 400 days
  });

  it('without from/to answers the last 30 days ending today in the zone', async () => {
    const o = (await (await get('tz=Asia/Kolkata')).json()) as Overview;
    const today = todayIn('Asia/Kolkata');
    expect(o).toMatchObject({ to: today, from: addDays(today, -29), tz: 'Asia/Kolkata' });
    expect(o.csat.daily).toHaveLength(30);
  });
});
