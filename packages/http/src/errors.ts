import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, type Logger } from '@thumbline/core';

/** Answers with the contract's `{ error: { code, message } }` shape. */
export function errorJson(c: Context, status: number, code: string, message: string, headers?: Record<string, string>) {
  for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v);
  return c.json({ error: { code, message } }, status as ContentfulStatusCode);
}

/**
 * Hono error handler: an AppError becomes its status and code; anything else is
 * logged and answered as a 500 without internals.
 */
export function handleError(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) return errorJson(c, err.status, err.code, err.message, err.headers);
    log.error({ err, path: c.req.path }, 'unhandled error');
    return errorJson(c, 500, 'internal', 'internal error');
  };
}

export function notFound(c: Context) {
  return errorJson(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);
}
