import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { knowledgeGaps, type ClickHouse } from '@thumbline/clickhouse';
import {
  addDays,
  errorSchema,
  knowledgeGapsQuerySchema,
  knowledgeGapsSchema,
  type KnowledgeGaps,
} from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import type { CredentialStore } from '@thumbline/redis';
import { resolveWindow } from './query-window.ts';

export const knowledgeGapsRoute = createRoute({
  method: 'get',
  path: '/v1/recommendations/knowledge-gaps',
  summary: 'Similar shopper questions whose answers were thumbed down, most thumbs-down first',
  description:
    'The question is the shopper message just before a thumbed-down assistant message. Questions are similar ' +
    'when their keys are equal: lowercased, punctuation and stop words dropped, each word stemmed in the ' +
    "language of the conversation's locale (en, de, fr, es; other languages unstemmed; none: English), in any " +
    'word order (`Does this run true to size?` = `does it run true to size`; `Is shipping free?` = ' +
    '`Free shipping?`; not `Does this run small?`). Negations, sizes, comparisons and numbers are never ' +
    'dropped. Keys that differ by a typo in one word (not a number; trigram distance under 0.2) join the ' +
    'most thumbed-down of them. Known limits: word order is lost (`ship to Canada` = `ship from Canada`), ' +
    'synonyms stay apart (`deliver` ≠ `ship`), and a stem can cover two meanings (German `Größe`/`groß`). ' +
    'A group is shown once it has at least 2 current thumbs-down in at least 2 conversations. ' +
    'A thumb-down counts on the local day of its `ts` in `tz`, and in the segment (`widget_id`, `locale`) ' +
    'of its own event.',
  security: [{ bearer: [] }],
  request: { query: knowledgeGapsQuerySchema },
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
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const segment = { widget_id: q.widget_id, locale: q.locale };
    const gaps = await knowledgeGaps(deps.ch, { workspaceId: ws, from, until: addDays(to, 1), tz, segment });
    const body: KnowledgeGaps = {
      items: gaps.map((g) => ({
        ...g,
        last_seen: new Date(g.last_seen).toISOString(),
        sources: g.sources.map((s) => ({ ...s, title: s.title || null, url: s.url || null })),
      })),
    };
    return c.json(body, 200);
  });
}
