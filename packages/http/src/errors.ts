import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, dependencyUnavailable, type Logger } from '@thumbline/core';
import { isRedisUnavailable } from '@thumbline/redis';

/** Answers with the contract's `{ error: { code, message } }` shape. */
export function errorJson(c: Context, status: number, code: string, message: string, headers?: Record<string, string>) {
  for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v);
  return c.json({ error: { code, message } }, status as ContentfulStatusCode);
}

/**
 * Hono error handler: an AppError becomes its status and code; Redis down or not answering
 * becomes `503 overloaded` with Retry-After (ClickHouse's client says so itself); anything
 * else is logged and answered as a 500 without internals.
 */
export function handleError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return errorJson(c, err.status, err.code, err.message, err.headers);
    if (isRedisUnavailable(err)) {
      log.warn({ err, path: c.req.path }, 'Redis unavailable');
      const e = dependencyUnavailable('Redis', err);
      return errorJson(c, e.status, e.code, e.message, e.headers);
    }
    // Hono's own validators throw these for bodies they cannot read: still the caller's fault.
    if (err instanceof HTTPException && err.status < 500) {
      const code = HTTP_CODES[err.status] ?? 'bad_request';
      return errorJson(c, err.status, code, err.message || code);
    }
    log.error({ err, path: c.req.path }, 'unhandled error');
    return errorJson(c, 500, 'internal', 'internal error');
  };
}

const HTTP_CODES: Record<number, string> = {
  400: 'invalid_body',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** application/json, optionally with parameters such as charset. */
const JSON_TYPE = /^application\/json\s*(;.*)?$/i;

/**
 * For routes with a JSON body: `415 unsupported_media_type` for another content type and
 * `400 invalid_json` for a body that does not parse, before the zod validator runs (the
 * parsed body is cached, so it is read once).
 */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
    throw new AppError('unsupported_media_type', 415, 'send the body as application/json');
  }
  try {
    await c.req.json();
  } catch {
    throw new AppError('invalid_json', 400, 'body is not valid JSON');
  }
  await next();
};

export function notFound(c: Context) {
  return errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
}
