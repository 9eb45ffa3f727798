import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '@thumbline/core';

/** Every request body outside ingest (docs/security.md, Limits). */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/** Deeper than any body Thumbline accepts (settings and SQL bodies nest 3 levels). */
export const MAX_JSON_DEPTH = 32;

/** application/json, optionally with parameters such as charset. */
const JSON_TYPE = /^application\/json\s*(;.*)?$/i;

/**
 * How deeply `text` nests arrays and objects, counting no further than `limit + 1`
 * (brackets inside strings do not count). A linear scan: no parser recursion to exhaust.
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) break;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return deepest;
}

/**
 * `413 payload_too_large` past `maxBytes` (a declared Content-Length is refused before
 * reading, a chunked body as it streams), and `400 invalid_body` for a JSON body nested
 * deeper than `maxDepth`. For every route outside ingest, which reads its own bodies.
 */
export function limitBody(maxBytes = MAX_REQUEST_BODY_BYTES, maxDepth = MAX_JSON_DEPTH): MiddlewareHandler {
  const size = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError('payload_too_large', 413, `body is larger than ${maxBytes} bytes`);
    },
  });
  return (c, next) => {
    if (!c.req.raw.body) return next();
    return size(c, async () => {
      if (JSON_TYPE.test(c.req.header('content-type') ?? '')) {
        // Read once here; later c.req.json() parses this cached text.
        if (jsonDepth(await c.req.text(), maxDepth) > maxDepth) {
          throw new AppError('invalid_body', 400, `body nests arrays and objects deeper than ${maxDepth} levels`);
        }
      }
      await next();
    });
  };
}
