import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { sourceAnswers, sourceRanking, type ClickHouse } from '@thumbline/clickhouse';
import {
  addDays,
  round,
  sourceAnswersParamsSchema,
  sourceAnswersQuerySchema,
  sourceAnswersSchema,
  sourcesQuerySchema,
  sourcesSchema,
  type SourceAnswers,
  type Sources,
} from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import type { CredentialStore } from '@thumbline/redis';
import { resolveWindow } from './query-window.ts';
import { errorResponse, jsonResponse } from '@thumbline/http';

const errors = {
  400: errorResponse('invalid_query, invalid_tz, range_too_large'),
  401: errorResponse('unauthorized'),
};

const counting =
  'An answer is an assistant message; its sources are those of its latest `message.created`. It counts when its ' +
  "current thumb's `ts` falls in the window (local days in `tz`) and that thumb's own event matches the segment " +
  '(`widget_id`, `locale`).';

export const sourcesRoute = createRoute({
  method: 'get',
  path: '/v1/analytics/sources',
  summary: 'Cited sources ranked by the thumbs of the answers citing them, most thumbs-down first',
  description:
    `${counting} Ties: fewest thumbs-up, then \`source_id\`. At most 200 sources. A source's title and url are ` +
    'those of its latest citation among the counted answers.',
  security: [{ bearer: [] }],
  request: { query: sourcesQuerySchema },
  responses: {
    200: jsonResponse(sourcesSchema, 'Sources'),
    ...errors,
  },
});

export const sourceAnswersRoute = createRoute({
  method: 'get',
  path: '/v1/analytics/sources/{source_id}/answers',
  summary: 'The answers citing a source, thumbed down first (the drill-down of `/v1/analytics/sources`)',
  description: `${counting} Thumbed down first, then the latest answer first; at most \`limit\` (default 50, at most 200).`,
  security: [{ bearer: [] }],
  request: { params: sourceAnswersParamsSchema, query: sourceAnswersQuerySchema },
  responses: {
    200: jsonResponse(sourceAnswersSchema, 'Answers'),
    ...errors,
  },
});

/** Mounts `GET /v1/analytics/sources` and its drill-down; the caller guards them with a dashboard token. */
export function mountSources(
  app: OpenAPIHono<{ Variables: AuthVariables }>,
  deps: { ch: ClickHouse; store: CredentialStore },
): void {
  app.openapi(sourcesRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const segment = { widget_id: q.widget_id, locale: q.locale };
    const ranked = await sourceRanking(deps.ch, { workspaceId: ws, from, until: addDays(to, 1), tz, segment });
    const body: Sources = {
      items: ranked.map((s) => {
        const total = s.thumbs_up + s.thumbs_down;
        return {
          ...s,
          title: s.title || null,
          url: s.url || null,
          down_pct: total === 0 ? null : round((s.thumbs_down / total) * 100, 1),
        };
      }),
    };
    return c.json(body, 200);
  });

  app.openapi(sourceAnswersRoute, async (c) => {
    const q = c.req.valid('query');
    const { source_id } = c.req.valid('param');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const segment = { widget_id: q.widget_id, locale: q.locale };
    const answers = await sourceAnswers(deps.ch, {
      workspaceId: ws,
      from,
      until: addDays(to, 1),
      tz,
      segment,
      sourceId: source_id,
      limit: q.limit,
    });
    const body: SourceAnswers = {
      source_id,
      items: answers.map((a) => ({
        ...a,
        text: a.text || null,
        answered_at: new Date(a.answered_at).toISOString(),
      })),
    };
    return c.json(body, 200);
  });
}
