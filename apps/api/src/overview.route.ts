import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@thumbline/core';
import { dailyFeedback, type ClickHouse } from '@thumbline/clickhouse';
import {
  addDays,
  daysInclusive,
  errorSchema,
  isDate,
  isTimeZone,
  overviewQuerySchema,
  overviewSchema,
  previousWindow,
  summarizeOverview,
  todayIn,
} from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import { liveSeq, type CredentialStore, type Keys, type RedisClient } from '@thumbline/redis';

export const MAX_RANGE_DAYS = 400;

export interface OverviewDeps {
  ch: ClickHouse;
  store: CredentialStore;
  redis: RedisClient;
  keys: Keys;
}

const errors = {
  400: {
    description: 'invalid_query, invalid_tz, range_too_large',
    content: { 'application/json': { schema: errorSchema } },
  },
  401: { description: 'unauthorized', content: { 'application/json': { schema: errorSchema } } },
};

export const overviewRoute = createRoute({
  method: 'get',
  path: '/v1/analytics/overview',
  summary: 'Daily CSAT, thumbs and response rate with the previous period, optionally for one widget or locale',
  security: [{ bearer: [] }],
  request: { query: overviewQuerySchema },
  responses: {
    200: { description: 'Overview', content: { 'application/json': { schema: overviewSchema } } },
    ...errors,
  },
});

/** Checks a from/to/tz query; returns the zone to use. */
export async function resolveRange(
  store: CredentialStore,
  workspaceId: string,
  q: { from: string; to: string; tz?: string | undefined },
): Promise<string> {
  if (!isDate(q.from) || !isDate(q.to))
    throw new AppError('invalid_query', 400, 'from/to: must be real dates YYYY-MM-DD');
  if (q.from > q.to) throw new AppError('invalid_query', 400, 'from: must not be after to');
  if (daysInclusive(q.from, q.to) > MAX_RANGE_DAYS) {
    throw new AppError('range_too_large', 400, `from/to: at most ${MAX_RANGE_DAYS} days`);
  }
  const tz = q.tz ?? (await store.workspace(workspaceId))?.tz ?? 'UTC';
  if (!isTimeZone(tz)) throw new AppError('invalid_tz', 400, `tz: unknown time zone ${tz}`);
  return tz;
}

/**
 * The window of a query: `from`/`to` as given, or the last 30 days ending today in the
 * zone (as the inbox), checked like resolveRange.
 */
export async function resolveWindow(
  store: CredentialStore,
  workspaceId: string,
  q: { from?: string | undefined; to?: string | undefined; tz?: string | undefined },
): Promise<{ from: string; to: string; tz: string }> {
  const zone = q.tz ?? (await store.workspace(workspaceId))?.tz ?? 'UTC';
  if (!isTimeZone(zone)) throw new AppError('invalid_tz', 400, `tz: unknown time zone ${zone}`);
  const to = q.to ?? todayIn(zone);
  const from = q.from ?? addDays(to, -29);
  return { from, to, tz: await resolveRange(store, workspaceId, { from, to, tz: zone }) };
}

export function mountOverview(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: OverviewDeps): void {
  app.openapi(overviewRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps.store, ws, q);
    const prev = previousWindow(from, to);
    // Read before the query: every delta up to it is committed, so it is in the answer.
    const seq = await liveSeq(deps.redis, deps.keys, ws);
    const segment = { widget_id: q.widget_id, locale: q.locale };
    const days = await dailyFeedback(deps.ch, { workspaceId: ws, from: prev.from, until: addDays(to, 1), tz, segment });
    const current = days.filter((d) => d.day >= from);
    const before = days.filter((d) => d.day < from);
    const previous = {
      up: before.reduce((n, d) => n + d.thumbs_up, 0),
      down: before.reduce((n, d) => n + d.thumbs_down, 0),
    };
    return c.json(summarizeOverview({ from, to, tz }, current, previous, seq), 200);
  });
}
