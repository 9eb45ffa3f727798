import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError, type Logger } from '@thumbline/core';
import { conversationSummary, latestReviews, toDateTime64, writeReview, type ClickHouse } from '@thumbline/clickhouse';
import {
  liveReviewSchema,
  reviewBodySchema,
  reviewConflictSchema,
  reviewSchema,
  type LiveReview,
  type Review,
  type ReviewConflict,
  type ReviewOutcome,
} from '@thumbline/events';
import { type AuthVariables, errorResponse, jsonResponse, requireJsonBody } from '@thumbline/http';
import {
  changeReview,
  forgetReviewChange,
  NO_REVIEW,
  publishReview,
  type CredentialStore,
  type Keys,
  type RedisClient,
  type StoredReview,
} from '@thumbline/redis';
import { rfc3339 } from './conversations.route.ts';

export interface ReviewDeps {
  ch: ClickHouse;
  redis: RedisClient;
  keys: Keys;
  store: CredentialStore;
  log: Logger;
}

const params = z.object({ conversation_id: z.string().min(1).max(128) });
const errors = {
  401: errorResponse('unauthorized'),
  404: errorResponse('not_found: no event named the conversation'),
  409: jsonResponse(
    reviewConflictSchema,
    'version_conflict: `version` is not the current one (the current review is in the body)',
  ),
};

const putRoute = createRoute({
  method: 'put',
  path: '/v1/conversations/{conversation_id}/review',
  summary: "Set a conversation's review outcome (triage), optionally only if its version is unchanged",
  security: [{ bearer: [] }],
  request: { params, body: { content: { 'application/json': { schema: reviewBodySchema } }, required: true } },
  responses: {
    200: jsonResponse(reviewSchema, 'The review as stored, with its new version'),
    400: errorResponse('invalid_body, invalid_json'),
    ...errors,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/conversations/{conversation_id}/review',
  summary: "Clear a conversation's review",
  security: [{ bearer: [] }],
  request: {
    params,
    query: z.object({
      version: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({
        description: 'Clear only if this is the current review version',
      }),
    }),
  },
  responses: {
    204: { description: 'Cleared (or there was no review)' },
    400: errorResponse('invalid_query'),
    ...errors,
  },
});

/** The API's review from the stored one; null when cleared (or none). */
const asReview = (conversationId: string, s: StoredReview): Review | null =>
  s.outcome === ''
    ? null
    : {
        conversation_id: conversationId,
        outcome: s.outcome as ReviewOutcome,
        note: s.note === '' ? null : s.note,
        reviewed_at: s.at,
        reviewer: s.reviewer,
        version: s.version,
      };

/**
 * Triage decisions (CONTRACT §12, ADR 0013). A change is accepted by a compare-and-set in Redis
 * (which gives it its version), then stored in ClickHouse before the answer; if that fails it
 * is undone in Redis and the caller gets the error. Reads (inbox, conversation, overview) come
 * from ClickHouse, so an answered change is what every later read sees.
 */
export function mountReview(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: ReviewDeps): void {
  // The `review` event of `/live` (Socket.IO, not a route): listed so the document names its shape.
  app.openAPIRegistry.register('LiveReview', liveReviewSchema);
  async function change(
    ws: string,
    conversationId: string,
    reviewer: string,
    next: { outcome: string; note: string; expected: number | undefined },
  ): Promise<{ status: 'ok' | 'unchanged'; review: StoredReview } | ReviewConflict> {
    if (!(await conversationSummary(deps.ch, ws, conversationId))) {
      throw new AppError('not_found', 404, `conversation ${conversationId} not found`);
    }
    const stored = (await latestReviews(deps.ch, ws, [conversationId])).get(conversationId);
    const seed: StoredReview = stored
      ? {
          version: stored.version,
          outcome: stored.outcome,
          note: stored.note,
          reviewer: stored.reviewer,
          at: rfc3339(stored.reviewed_at),
        }
      : NO_REVIEW;
    const at = new Date();
    const result = await changeReview(deps.redis, deps.keys, ws, conversationId, {
      seed,
      expected: next.expected,
      outcome: next.outcome,
      note: next.note,
      reviewer,
      at: at.toISOString(),
    });
    if (result.status === 'conflict') {
      return {
        error: {
          code: 'version_conflict',
          message: `review of ${conversationId} is at version ${result.review.version}, not ${next.expected}`,
        },
        review: asReview(conversationId, result.review),
        version: result.review.version,
      };
    }
    if (result.status === 'unchanged') return { status: 'unchanged', review: result.review };
    const r = result.review;
    try {
      await writeReview(deps.ch, ws, {
        conversation_id: conversationId,
        outcome: r.outcome,
        note: r.note,
        reviewer: r.reviewer,
        reviewed_at: toDateTime64(at.getTime()),
        version: r.version,
      });
    } catch (err) {
      await forgetReviewChange(deps.redis, deps.keys, ws, conversationId, r.version).catch((undo: unknown) =>
        deps.log.error({ err: undo, conversationId }, 'review: could not undo a change ClickHouse refused'),
      );
      throw err;
    }
    const live: LiveReview = {
      conversation_id: conversationId,
      review: asReview(conversationId, r),
      version: r.version,
    };
    // The change is stored: a dashboard that misses it sees it on its next read.
    await publishReview(deps.redis, deps.keys, ws, JSON.stringify(live)).catch((err: unknown) =>
      deps.log.warn({ err, conversationId }, 'review: live event not sent'),
    );
    return { status: 'ok', review: r };
  }

  app.on('PUT', '/v1/conversations/:conversation_id/review', requireJsonBody);
  app.openapi(putRoute, async (c) => {
    const { conversation_id } = c.req.valid('param');
    const body = c.req.valid('json');
    const cred = c.get('credential');
    const out = await change(cred.workspace_id, conversation_id, cred.key_id, {
      outcome: body.outcome,
      note: body.note ?? '',
      expected: body.version,
    });
    if ('error' in out) return c.json(out, 409);
    return c.json(asReview(conversation_id, out.review) as Review, 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { conversation_id } = c.req.valid('param');
    const { version } = c.req.valid('query');
    const cred = c.get('credential');
    const out = await change(cred.workspace_id, conversation_id, cred.key_id, {
      outcome: '',
      note: '',
      expected: version,
    });
    if ('error' in out) return c.json(out, 409);
    return c.body(null, 204);
  });
}
