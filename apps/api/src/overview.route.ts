import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { dailyFeedback, triageCounts, type ClickHouse } from '@thumbline/clickhouse';
import {
  addDays,
  overviewQuerySchema,
  overviewSchema,
  previousWindow,
  REVIEW_OUTCOMES,
  summarizeOverview,
  type Triage,
} from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import { liveSeq, type CredentialStore, type Keys, type RedisClient } from '@thumbline/redis';
import { resolveWindow } from './query-window.ts';
import { errorResponse, jsonResponse } from '@thumbline/http';

export interface OverviewDeps {
  ch: ClickHouse;
  store: CredentialStore;
  redis: RedisClient;
  keys: Keys;
}

const errors = {
  400: errorResponse('invalid_query, invalid_tz, range_too_large'),
  401: errorResponse('unauthorized'),
};

export const overviewRoute = createRoute({
  method: 'get',
  path: '/v1/analytics/overview',
  summary: 'Daily CSAT, thumbs and response rate with the previous period, optionally for one widget or locale',
  security: [{ bearer: [] }],
  request: { query: overviewQuerySchema },
  responses: {
    200: jsonResponse(overviewSchema, 'Overview'),
    ...errors,
  },
});

export function mountOverview(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: OverviewDeps): void {
  app.openapi(overviewRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const prev = previousWindow(from, to);
    // Read before the query: every delta up to it is committed, so it is in the answer.
    const seq = await liveSeq(deps.redis, deps.keys, ws);
    const segment = { widget_id: q.widget_id, locale: q.locale };
    const [days, triage] = await Promise.all([
      dailyFeedback(deps.ch, { workspaceId: ws, from: prev.from, until: addDays(to, 1), tz, segment }),
      triageCounts(deps.ch, {
        workspaceId: ws,
        previousFrom: prev.from,
        from,
        until: addDays(to, 1),
        tz,
        segment,
        outcomes: REVIEW_OUTCOMES,
      }),
    ]);
    const current = days.filter((d) => d.day >= from);
    const before = days.filter((d) => d.day < from);
    const previous = {
      up: before.reduce((n, d) => n + d.thumbs_up, 0),
      down: before.reduce((n, d) => n + d.thumbs_down, 0),
    };
    const card = {
      ...triage.current,
      previous: { ...prev, ...triage.previous },
    } as Triage;
    return c.json({ ...summarizeOverview({ from, to, tz }, current, previous, seq), triage: card }, 200);
  });
}
