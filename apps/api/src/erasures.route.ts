// Erasure (CONTRACT §14, docs/operations.md): DELETE /v1/conversations/{id} and
// POST /v1/erasures { shopper_id } with the admin token answer 202 with a status resource; the
// worker role erases (apps/worker jobs/erasures.erase.ts) and the status turns `done`.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { AppError } from '@thumbline/core';
import { erasureAcceptedSchema, erasureRequestSchema, erasureSchema, type ErasureJob } from '@thumbline/events';
import { type AuthVariables, errorResponse, jsonResponse, requireJsonBody } from '@thumbline/http';
import { ErasureStore, type Keys, type RedisClient } from '@thumbline/redis';

export interface ErasuresDeps {
  redis: RedisClient;
  keys: Keys;
}

const accepted = {
  202: jsonResponse(erasureAcceptedSchema, 'Erasure queued; poll GET /v1/erasures/{erasure_id}'),
  401: errorResponse('unauthorized (the admin token is required)'),
};

const deleteConversation = createRoute({
  method: 'delete',
  path: '/v1/conversations/{conversation_id}',
  summary: 'Erase a conversation: its events, transcript, rating reason and ids, everywhere (aggregate counts stay)',
  security: [{ bearer: [] }],
  request: { params: z.object({ conversation_id: z.string().min(1).max(128) }) },
  responses: accepted,
});

const eraseShopper = createRoute({
  method: 'post',
  path: '/v1/erasures',
  summary: 'Erase every conversation with an event carrying this shopper_id',
  security: [{ bearer: [] }],
  request: { body: { content: { 'application/json': { schema: erasureRequestSchema } }, required: true } },
  responses: { ...accepted, 400: errorResponse('invalid_body, invalid_json') },
});

const erasureStatus = createRoute({
  method: 'get',
  path: '/v1/erasures/{erasure_id}',
  summary: 'An erasure and its status',
  security: [{ bearer: [] }],
  request: { params: z.object({ erasure_id: z.string().min(1).max(64) }) },
  responses: {
    200: jsonResponse(erasureSchema, 'The erasure'),
    401: errorResponse('unauthorized'),
    404: errorResponse('not_found'),
  },
});

export function mountErasures(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: ErasuresDeps): void {
  const store = new ErasureStore(deps.redis, deps.keys);
  let queue: Queue<ErasureJob> | null = null;
  const erasures = () =>
    (queue ??= new Queue<ErasureJob>(deps.keys.erasureQueue, { connection: deps.redis, prefix: deps.keys.bull }));

  const request = async (workspaceId: string, target: ErasureJob['target']) => {
    const erasureId = randomUUID();
    const now = Date.now();
    await store.create(workspaceId, {
      erasure_id: erasureId,
      status: 'pending',
      conversations: 0,
      requested_at: new Date(now).toISOString(),
      finished_at: null,
    });
    // The job (with the id it erases) is removed when it ends, whatever the outcome.
    await erasures().add(
      'erase',
      { workspaceId, erasureId, requestedAt: now, target },
      {
        jobId: erasureId,
        attempts: 20,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
    return { erasure_id: erasureId, status: 'pending' as const };
  };

  app.openapi(deleteConversation, async (c) =>
    c.json(
      await request(c.get('credential').workspace_id, { conversationId: c.req.valid('param').conversation_id }),
      202,
    ),
  );
  app.use('/v1/erasures', requireJsonBody);
  app.openapi(eraseShopper, async (c) =>
    c.json(await request(c.get('credential').workspace_id, { shopperId: c.req.valid('json').shopper_id }), 202),
  );
  app.openapi(erasureStatus, async (c) => {
    const found = await store.get(c.get('credential').workspace_id, c.req.valid('param').erasure_id);
    if (!found) throw new AppError('not_found', 404, 'no such erasure in this workspace');
    return c.json(found, 200);
  });
}
