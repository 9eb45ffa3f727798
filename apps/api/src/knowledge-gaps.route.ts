import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { knowledgeGaps, type ClickHouse } from '@thumbline/clickhouse';
import { addDays, errorSchema, knowledgeGapsSchema, overviewQuerySchema, type KnowledgeGaps } from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import type { CredentialStore } from '@thumbline/redis';
import { resolveWindow } from './overview.route.ts';

export const knowledgeGapsRoute = createRoute({
  method: 'get',
  path: '/v1/recommendations/knowledge-gaps',
  summary: 'Similar shopper questions whose answers were thumbed down, most thumbs-down first',
  description:
    'A group is shown once it has at least 2 current thumbs-down in at least 2 conversations. ' +
    'A thumb-down counts on the local day of its `ts` in `tz`.',
  security: [{ bearer: [] }],
  request: { query: overviewQuerySchema },
  responses: {
    200: { description: 'Knowledge gaps', content: { 'application/json': { schema: knowledgeGapsSchema } } },
    400: {
      description: 'invalid_query, invalid_tz, range_too_large',
      content: { 'application/json': { schema: errorSchema } },
    },
    401: { description: 'unauthorized', content: { 'application/json': { schema: errorSchema } } },
  },
});

/** Mounts `GET /v1/recommendations/knowledge-gaps`; the caller guards it with a dashboard token. */
export function mountKnowledgeGaps(
  app: OpenAPIHono<{ Variables: AuthVariables }>,
  deps: { ch: ClickHouse; store: CredentialStore },
): void {
  app.openapi(knowledgeGapsRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps.store, ws, q);
    const gaps = await knowledgeGaps(deps.ch, { workspaceId: ws, from, until: addDays(to, 1), tz });
    const body: KnowledgeGaps = {
      items: gaps.map((g) => ({ ...g, last_seen: new Date(g.last_seen).toISOString() })),
    };
    return c.json(body, 200);
  });
}
