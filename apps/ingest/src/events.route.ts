import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError, currentTraceparent, traced, type Metrics } from '@thumbline/core';
import {
  eventSchema,
  ingestBodySchema,
  ingestResponseSchema,
  MAX_EVENTS_PER_REQUEST,
  validateEvent,
  type AcceptedEvent,
  type EventVerdict,
} from '@thumbline/events';
import { allowOrigin, authenticateWidget, clientAddress, preflight, errorResponse } from '@thumbline/http';
import {
  appendEvents,
  type AdmissionLimits,
  type BacklogGuard,
  type AppendResult,
  type CredentialStore,
  type Keys,
  type SettingsStore,
  type RedisClient,
} from '@thumbline/redis';

export const MAX_BODY_BYTES = 512 * 1024;

export interface IngestDeps {
  redis: RedisClient;
  keys: Keys;
  store: CredentialStore;
  settings: SettingsStore;
  metrics: Metrics;
  /** Per-key rate and backlog caps (429/503 with Retry-After). */
  limits: AdmissionLimits;
  maxEventAgeDays: number;
  /** Proxy hops in front whose X-Forwarded-For is trusted for the per-client limit (0: the socket's peer). */
  trustedProxies?: number;
  /** Refuses appends while Redis is near its memory limit or the stream too big in bytes. */
  backlog?: BacklogGuard;
  /** Clock for the ts bounds; injectable for tests. */
  now?: () => number;
}

export const ingestRoute = createRoute({
  method: 'post',
  path: '/v1/events',
  summary: 'Send feedback events',
  description:
    `One event or \`{ "events": [...] }\` (1–${MAX_EVENTS_PER_REQUEST}), at most 512 KiB. Bearer public or secret key, ` +
    'or `?key=<public_key>` ' +
    'with a text/plain body for navigator.sendBeacon. 202 once the accepted events are durably queued.',
  security: [{ bearer: [] }],
  request: {
    query: z.object({ key: z.string().optional().openapi({ description: 'Public key (sendBeacon)' }) }),
    body: { content: { 'application/json': { schema: ingestBodySchema }, 'text/plain': { schema: z.string() } } },
  },
  responses: {
    202: {
      description: 'At least one event accepted',
      content: { 'application/json': { schema: ingestResponseSchema } },
    },
    400: errorResponse('invalid_json, invalid_body or no_valid_events (then with accepted/rejected)'),
    401: errorResponse('unauthorized'),
    403: errorResponse('origin_not_allowed'),
    413: errorResponse('payload_too_large'),
    415: errorResponse('unsupported_media_type'),
    429: errorResponse('rate_limited, with Retry-After'),
    503: errorResponse('overloaded, with Retry-After'),
  },
});

const tooLarge = () => new AppError('payload_too_large', 413, `body is larger than ${MAX_BODY_BYTES} bytes`);

/**
 * Reads the body as text, at most MAX_BODY_BYTES. A declared Content-Length is checked
 * before reading (Node's parser holds the body to it); a chunked body is counted as it
 * streams. (Hono's bodyLimit middleware wraps every body stream: ~4x slower here.)
 */
async function readBody(c: Context): Promise<string> {
  const declared = c.req.header('content-length');
  if (declared !== undefined) {
    if (Number(declared) > MAX_BODY_BYTES) throw tooLarge();
    return c.req.text();
  }
  const reader = c.req.raw.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's events as a list, or an invalid_body error. */
function eventList(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid_body', 400, 'body must be an event object or { "events": [ ... ] }');
  }
  if (!('events' in body)) return [body];
  const events = (body as { events: unknown }).events;
  if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS_PER_REQUEST) {
    throw new AppError('invalid_body', 400, `events must be an array of 1 to ${MAX_EVENTS_PER_REQUEST} events`);
  }
  return events;
}

/** POST /v1/events (the OpenAPI document). */
export function mountIngest(app: OpenAPIHono<any>, deps: IngestDeps): void {
  const now = deps.now ?? Date.now;
  app.options('/v1/events', preflight);
  app.openAPIRegistry.register('Event', eventSchema);
  app.openAPIRegistry.registerPath(ingestRoute);
  app.post('/v1/events', async (c) => {
    try {
      return await traced('ingest POST /v1/events', () => handle(c));
    } catch (err) {
      if (err instanceof AppError) deps.metrics.ingestRejected.inc({ code: err.code });
      throw err;
    }
  });

  /**
   * A CSAT rating for a widget whose CSAT collection is off is refused. Only such ratings
   * need the widget's settings: the others are answered without a promise (an await per
   * event costs a microtask on the hot path).
   */
  function checkWidget(ws: string, verdict: EventVerdict): EventVerdict | Promise<EventVerdict> {
    if (!verdict.ok || verdict.event.type !== 'conversation.csat' || verdict.event.widget_id === undefined)
      return verdict;
    const widgetId = verdict.event.widget_id;
    return deps.settings
      .widget(ws, widgetId)
      .then((widget): EventVerdict =>
        widget.csat_enabled
          ? verdict
          : { ok: false, code: 'csat_disabled', message: `widget_id: CSAT collection is off for widget ${widgetId}` },
      );
  }

  async function handle(c: Context) {
    const cred = await authenticateWidget(deps.store, c, allowOrigin(c));
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json' && type !== 'text/plain') {
      throw new AppError('unsupported_media_type', 415, 'send application/json (or text/plain holding JSON)');
    }
    const text = await readBody(c);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('invalid_json', 400, 'body is not valid JSON');
    }
    const raw = eventList(body);
    const options = { now: now(), maxEventAgeDays: deps.maxEventAgeDays, publicKey: cred.kind === 'public' };
    const accepted: AcceptedEvent[] = [];
    const rejected: { index: number; code: string; message: string }[] = [];
    for (const [index, item] of raw.entries()) {
      const checked = checkWidget(cred.workspace_id, validateEvent(item, options));
      const verdict = checked instanceof Promise ? await checked : checked;
      if (verdict.ok) accepted.push(verdict.event);
      else {
        rejected.push({ index, code: verdict.code, message: verdict.message });
        deps.metrics.ingestRejected.inc({ code: verdict.code });
      }
    }
    if (accepted.length === 0) {
      return c.json(
        { error: { code: 'no_valid_events', message: 'no event in the request was valid' }, accepted: 0, rejected },
        400,
      );
    }
    const refusal = deps.backlog?.refusal();
    if (refusal) {
      const why = refusal === 'redis_memory' ? 'Redis is near its memory limit' : 'the event backlog is too large';
      throw new AppError('overloaded', 503, `${why}; nothing was queued, retry later`, {
        headers: { 'Retry-After': '5' },
      });
    }
    let appended: AppendResult;
    try {
      appended = await traced('stream.append', () =>
        appendEvents(
          deps.redis,
          deps.keys,
          {
            workspaceId: cred.workspace_id,
            keyId: cred.key_id,
            events: accepted,
            // Public keys are shared by every shopper: each address has its own budget too.
            client: cred.kind === 'public' ? clientAddress(c, deps.trustedProxies ?? 0) : undefined,
            traceparent: currentTraceparent(),
          },
          deps.limits,
        ),
      );
    } catch (cause) {
      throw new AppError('overloaded', 503, 'the event queue is unavailable; retry later', {
        cause,
        headers: { 'Retry-After': '1' },
      });
    }
    if (!appended.ok) {
      const headers = { 'Retry-After': String(appended.retryAfter) };
      if (appended.code === 'overloaded') {
        throw new AppError('overloaded', 503, 'the pipeline is behind; nothing was queued, retry later', { headers });
      }
      const message =
        appended.code === 'rate_limited'
          ? `this key may send ${deps.limits.eventsPerSecond} events per second; retry later`
          : `one client may send ${deps.limits.eventsPerSecondPerClient} events per second with a public key; retry later`;
      throw new AppError('rate_limited', 429, message, { headers });
    }
    deps.metrics.ingestAccepted.inc(accepted.length);
    return c.json({ accepted: accepted.length, rejected }, 202);
  }
}
