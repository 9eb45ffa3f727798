import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { feedbackBreakdown, type ClickHouse } from '@thumbline/clickhouse';
import { addDays, breakdownItem, breakdownQuerySchema, breakdownSchema } from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import type { CredentialStore } from '@thumbline/redis';
import { resolveWindow } from './query-window.ts';
import { errorResponse, jsonResponse } from '@thumbline/http';

export interface BreakdownDeps {
  ch: ClickHouse;
  store: CredentialStore;
}

const breakdownRoute = createRoute({
  method: 'get',
  path: '/v1/analytics/breakdown',
  summary: 'CSAT, thumbs and response rate per widget, locale or language',
  security: [{ bearer: [] }],
  request: { query: breakdownQuerySchema },
  responses: {
    200: jsonResponse(breakdownSchema, 'Breakdown'),
    400: errorResponse('invalid_query, invalid_tz, range_too_large'),
    401: errorResponse('unauthorized'),
  },
});

/** `GET /v1/analytics/breakdown` (CONTRACT §9): the overview's window, one item per segment key. */
export function mountBreakdown(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: BreakdownDeps): void {
  app.openapi(breakdownRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const rows = await feedbackBreakdown(deps.ch, {
      workspaceId: ws,
      from,
      until: addDays(to, 1),
      tz,
      by: q.by,
      segment: { widget_id: q.widget_id, locale: q.locale },
    });
    return c.json({ by: q.by, from, to, tz, items: rows.map((r) => breakdownItem(r.key, r)) }, 200);
  });
}
