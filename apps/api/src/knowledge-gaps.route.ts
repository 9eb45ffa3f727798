import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  gapAnswers,
  gapMarks,
  knowledgeGaps,
  markGapAnswered,
  unmarkGapAnswered,
  type ClickHouse,
} from '@thumbline/clickhouse';
import { AppError } from '@thumbline/core';
import {
  addDays,
  answeredGaps,
  eachDay,
  gapAnsweredBodySchema,
  knowledgeGapParamsSchema,
  knowledgeGapSchema,
  knowledgeGapsQuerySchema,
  knowledgeGapsSchema,
  knowledgeGapWindowSchema,
  type AnsweredGap,
  type KnowledgeGapItem,
} from '@thumbline/events';
import { type AuthVariables, jsonResponse, requireJsonBody, errorResponse } from '@thumbline/http';
import type { CredentialStore } from '@thumbline/redis';
import { resolveWindow } from './query-window.ts';

/** How far ahead of now `at` may lie (as an event's `ts`, CONTRACT §2). */
const AT_AHEAD_MS = 5 * 60_000;

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
    'of its own event. Contractions typed without an apostrophe (`doesnt`, `cest`, `gibts`), filler around ' +
    'the request (`Hi, quick question: …`) and a shop’s synonyms (`deliver` = `ship`, `Zustellung` = ' +
    '`Lieferung`, `frais de port` = `frais de livraison`, `entrega` = `envío`) key alike. ' +
    'A gap marked answered (CONTRACT §13) keeps its id and gains `answered`: the thumbs-down rate of the ' +
    "assistant answers to the gap's questions in the window before and from `at`, with 95 % Wilson " +
    'intervals and a verdict; it is listed while its questions were answered in the window, even without ' +
    'thumbs-down (then `thumbs_down` counts its answers that have a current thumb-down).',
  security: [{ bearer: [] }],
  request: { query: knowledgeGapsQuerySchema },
  responses: {
    200: jsonResponse(knowledgeGapsSchema, 'Knowledge gaps'),
    400: errorResponse('invalid_query, invalid_tz, range_too_large'),
    401: errorResponse('unauthorized'),
  },
});

const markAnswered = createRoute({
  method: 'post',
  path: '/v1/recommendations/knowledge-gaps/{id}/answered',
  summary: 'Mark a knowledge gap answered at a time, optionally with the source that now covers it',
  description:
    'The gap must be listed in the window of the query (the list’s `from`, `to`, `tz`, `widget_id`, ' +
    '`locale`; default the last 30 days). Marking a marked gap again moves its `at` and `source_id`. ' +
    'The answer is the gap as the list shows it in that window, with `answered`.',
  security: [{ bearer: [] }],
  request: {
    params: knowledgeGapParamsSchema,
    query: knowledgeGapWindowSchema,
    body: { content: { 'application/json': { schema: gapAnsweredBodySchema } }, required: true },
  },
  responses: {
    200: jsonResponse(knowledgeGapSchema, 'The gap, marked'),
    400: errorResponse('invalid_body, invalid_json, invalid_query, invalid_tz, range_too_large'),
    401: errorResponse('unauthorized'),
    404: errorResponse('not_found: no gap with this id in the window'),
    415: errorResponse('unsupported_media_type'),
  },
});

const unmarkAnswered = createRoute({
  method: 'delete',
  path: '/v1/recommendations/knowledge-gaps/{id}/answered',
  summary: 'Unmark a knowledge gap answered',
  security: [{ bearer: [] }],
  request: { params: knowledgeGapParamsSchema },
  responses: {
    204: { description: 'Unmarked' },
    400: errorResponse('invalid_query: not a gap id'),
    401: errorResponse('unauthorized'),
    404: errorResponse('not_found: the gap is not marked answered'),
  },
});

type GapDeps = { ch: ClickHouse; store: CredentialStore };
type GapWindowQuery = z.infer<typeof knowledgeGapWindowSchema>;

/** The window's gaps (knowledgeGaps) with the workspace's answered marks applied (answeredGaps). */
async function windowGaps(
  deps: GapDeps,
  ws: string,
  q: GapWindowQuery,
): Promise<{ gaps: AnsweredGap[]; days: string[] }> {
  const { from, to, tz } = await resolveWindow(deps, ws, q);
  const window = {
    workspaceId: ws,
    from,
    until: addDays(to, 1),
    tz,
    segment: { widget_id: q.widget_id, locale: q.locale },
  };
  const [gaps, marks] = await Promise.all([knowledgeGaps(deps.ch, window), gapMarks(deps.ch, ws)]);
  const days = eachDay(from, to);
  if (marks.length === 0) return { gaps: gaps.map((g) => ({ ...g, answered: null })), days };
  const ats = [...new Set(marks.map((m) => m.at))].sort((a, b) => a - b);
  return { gaps: answeredGaps(gaps, marks, await gapAnswers(deps.ch, { ...window, ats }), ats), days };
}

/** A gap as the API shows it: times as RFC 3339, absent titles and urls null, thumbs-down per day of the window. */
function gapBody({ keys: _keys, by_day, ...g }: AnsweredGap, days: readonly string[]): KnowledgeGapItem {
  return {
    ...g,
    daily: days.map((d) => by_day[d] ?? 0),
    last_seen: new Date(g.last_seen).toISOString(),
    sources: g.sources.map((s) => ({ ...s, title: s.title || null, url: s.url || null })),
    answered: g.answered && { ...g.answered, at: new Date(g.answered.at).toISOString() },
  };
}

/**
 * Mounts `GET /v1/recommendations/knowledge-gaps` and `POST|DELETE …/{id}/answered`; the caller
 * guards them with a dashboard token.
 */
export function mountKnowledgeGaps(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: GapDeps): void {
  app.openapi(knowledgeGapsRoute, async (c) => {
    const { answered, ...q } = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { gaps, days } = await windowGaps(deps, ws, q);
    const listed = gaps.filter((g) => answered === undefined || (g.answered !== null) === (answered === 'true'));
    return c.json({ items: listed.map((g) => gapBody(g, days)) }, 200);
  });

  app.on('POST', '/v1/recommendations/knowledge-gaps/:id/answered', requireJsonBody);
  app.openapi(markAnswered, async (c) => {
    const ws = c.get('credential').workspace_id;
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const body = c.req.valid('json');
    const now = Date.now();
    const at = body.at ?? now;
    if (at > now + AT_AHEAD_MS) throw new AppError('invalid_body', 400, 'at: more than 5 minutes in the future');
    const gap = (await windowGaps(deps, ws, q)).gaps.find((g) => g.id === id);
    if (!gap) throw new AppError('not_found', 404, 'no knowledge gap with this id in the window');
    await markGapAnswered(deps.ch, { workspaceId: ws, gapId: id, at, sourceId: body.source_id ?? '', keys: gap.keys });
    const after = await windowGaps(deps, ws, q);
    const marked = after.gaps.find((g) => g.id === id);
    if (!marked) throw new AppError('not_found', 404, 'no knowledge gap with this id in the window');
    return c.json(gapBody(marked, after.days), 200);
  });

  app.openapi(unmarkAnswered, async (c) => {
    const ws = c.get('credential').workspace_id;
    if (!(await unmarkGapAnswered(deps.ch, ws, c.req.valid('param').id))) {
      throw new AppError('not_found', 404, 'this knowledge gap is not marked answered');
    }
    return c.body(null, 204);
  });
}
