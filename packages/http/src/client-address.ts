import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/**
 * The caller's address. Without trusted proxies it is the socket's peer: a header is the
 * caller's to forge. With `trustedProxies` hops in front (the operator says so), it is the
 * address the outermost of them saw: X-Forwarded-For counted from the right, since each
 * proxy appends the peer it saw and only the last `trustedProxies` entries are theirs.
 * Undefined when there is no socket (in-process requests).
 */
export function clientAddress(c: Context, trustedProxies: number): string | undefined {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined;
  }
  if (trustedProxies <= 0) return peer;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustedProxies] ?? peer;
}
