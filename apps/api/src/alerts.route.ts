import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  AlertStateStore,
  alertPayload,
  checkWebhookUrl,
  DeliveryLog,
  publicRule,
  MAX_QUEUED_DELIVERIES,
  RuleStore,
  TEST_SEND_ATTEMPTS,
  TEST_SENDS_PER_MINUTE,
  TestSendLimit,
  trailingWindow,
  WebhookQueue,
  WebhookTargetError,
} from '@thumbline/alerts';
import { AppError } from '@thumbline/core';
import {
  alertRuleBodySchema,
  alertRuleListSchema,
  alertRuleSchema,
  deliveryListSchema,
  deliverySchema,
} from '@thumbline/events';
import { type AuthVariables, errorResponse, jsonResponse, requireJsonBody } from '@thumbline/http';
import type { Keys, RedisClient } from '@thumbline/redis';
import { randomUUID } from 'node:crypto';

export interface AlertsDeps {
  redis: RedisClient;
  keys: Keys;
  /** THUMBLINE_WEBHOOK_ALLOW_PRIVATE (default: refuse loopback and private targets). */
  webhooks?: { allowPrivate: boolean } | undefined;
}

const unauthorized = { 401: errorResponse('unauthorized') };
const ruleParams = z.object({ id: z.string().min(1).max(64) });

const createRule = createRoute({
  method: 'post',
  path: '/v1/alerts/rules',
  summary: 'Create an alert rule: a metric over a trailing window, a condition and a webhook',
  description:
    'Evaluated whenever feedback of the workspace is counted and at least every minute; a transition ' +
    '(firing, resolved) is POSTed to the webhook within 10 s. See docs/alerts.md.',
  security: [{ bearer: [] }],
  request: { body: { content: { 'application/json': { schema: alertRuleBodySchema } }, required: true } },
  responses: {
    201: jsonResponse(alertRuleSchema, 'The rule'),
    400: errorResponse('invalid_rule, invalid_webhook_url, invalid_json'),
    ...unauthorized,
    409: errorResponse('too_many_rules'),
  },
});

const listRules = createRoute({
  method: 'get',
  path: '/v1/alerts/rules',
  summary: "The workspace's alert rules, oldest first, with whether each is firing",
  security: [{ bearer: [] }],
  responses: { 200: jsonResponse(alertRuleListSchema, 'Rules'), ...unauthorized },
});

const deleteRule = createRoute({
  method: 'delete',
  path: '/v1/alerts/rules/{id}',
  summary: 'Delete an alert rule (its queued deliveries are cancelled)',
  security: [{ bearer: [] }],
  request: { params: ruleParams },
  responses: { 204: { description: 'Deleted' }, ...unauthorized, 404: errorResponse('not_found') },
});

const testRule = createRoute({
  method: 'post',
  path: '/v1/alerts/rules/{id}/test',
  summary: "Send an `alert.test` payload to the rule's webhook, through the same delivery path",
  description:
    `At most ${TEST_SENDS_PER_MINUTE} test sends per workspace per minute, tried ${TEST_SEND_ATTEMPTS} times; ` +
    `a workspace may have at most ${MAX_QUEUED_DELIVERIES} deliveries (transitions and tests) queued. ` +
    'Past either limit the answer is 429 rate_limited with Retry-After. See docs/alerts.md.',
  security: [{ bearer: [] }],
  request: { params: ruleParams },
  responses: {
    202: jsonResponse(deliverySchema, 'The queued delivery'),
    ...unauthorized,
    404: errorResponse('not_found'),
    429: errorResponse('rate_limited, with Retry-After: too many test sends this minute, or deliveries queued'),
  },
});

const listDeliveries = createRoute({
  method: 'get',
  path: '/v1/alerts/deliveries',
  summary: 'Recent webhook deliveries (transitions and tests) with their attempts, newest first',
  description: 'The last 200 deliveries of the workspace are kept.',
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      rule_id: z.string().min(1).max(64).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonResponse(deliveryListSchema, 'Deliveries'),
    400: errorResponse('invalid_query'),
    ...unauthorized,
  },
});

/** A rule body that fails validation: `invalid_webhook_url` when the URL is at fault, else `invalid_rule`. */
function ruleHook(
  result: { success: true } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } },
): undefined {
  if (result.success) return;
  const issue = result.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const code = path === 'webhook.url' ? 'invalid_webhook_url' : 'invalid_rule';
  throw new AppError(code, 400, `${path || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** Mounts the alert routes (CONTRACT §10); the caller guards them with a dashboard token. */
export function mountAlerts(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: AlertsDeps): void {
  const rules = new RuleStore(deps.redis, deps.keys);
  const states = new AlertStateStore(deps.redis, deps.keys);
  const log = new DeliveryLog(deps.redis, deps.keys);
  const testSends = new TestSendLimit(deps.redis, deps.keys);
  const allowPrivate = deps.webhooks?.allowPrivate ?? false;
  // Made on first use: a process that never sends a test holds no queue.
  let queue: WebhookQueue | null = null;
  const webhooks = () => (queue ??= new WebhookQueue(deps.redis, deps.keys, log));

  app.on('POST', '/v1/alerts/rules', requireJsonBody);
  app.openapi(
    createRule,
    async (c) => {
      const ws = c.get('credential').workspace_id;
      const body = c.req.valid('json');
      try {
        await checkWebhookUrl(body.webhook.url, allowPrivate);
      } catch (err) {
        if (err instanceof WebhookTargetError) throw new AppError('invalid_webhook_url', 400, err.message);
        throw err;
      }
      const rule = await rules.create(ws, body);
      return c.json(publicRule(rule, 'ok'), 201);
    },
    ruleHook,
  );

  app.openapi(listRules, async (c) => {
    const ws = c.get('credential').workspace_id;
    const [list, state] = await Promise.all([rules.list(ws), states.all(ws)]);
    return c.json({ items: list.map((r) => publicRule(r, state.get(r.id)?.status ?? 'ok')) }, 200);
  });

  app.openapi(deleteRule, async (c) => {
    const ws = c.get('credential').workspace_id;
    if (!(await rules.delete(ws, c.req.valid('param').id))) throw new AppError('not_found', 404, 'no such rule');
    return c.body(null, 204);
  });

  app.openapi(testRule, async (c) => {
    const ws = c.get('credential').workspace_id;
    const rule = await rules.get(ws, c.req.valid('param').id);
    if (!rule) throw new AppError('not_found', 404, 'no such rule');
    const now = Date.now();
    const wait = await testSends.take(ws, now);
    if (wait > 0) {
      throw new AppError('rate_limited', 429, `at most ${TEST_SENDS_PER_MINUTE} test sends per minute`, {
        headers: { 'Retry-After': String(wait) },
      });
    }
    const last = (await states.all(ws)).get(rule.id);
    const evaluation = {
      holds: false,
      value: last?.value ?? null,
      samples: last?.samples ?? 0,
      window: trailingWindow(rule.window_minutes, now),
    };
    const payload = alertPayload('alert.test', randomUUID(), rule, ws, evaluation, now);
    return c.json(await webhooks().enqueue(ws, rule, payload, now), 202);
  });

  app.openapi(listDeliveries, async (c) => {
    const ws = c.get('credential').workspace_id;
    const q = c.req.valid('query');
    return c.json({ items: await log.list(ws, { limit: q.limit, ruleId: q.rule_id }) }, 200);
  });
}
