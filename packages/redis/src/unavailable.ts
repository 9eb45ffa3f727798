import { isAppError } from '@thumbline/core';

/** Node's codes for a connection that failed or hung. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Replies that mean "not now": out of memory under noeviction, loading, a busy script, a cluster without quorum. */
const NOT_NOW = /^(OOM|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * True when Redis is down, full or did not answer in time, so the caller should answer
 * `503 overloaded` and retry later, rather than a failure of the request itself.
 * ioredis reports these with fixed texts (Command.js, Redis.js) and error classes.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (isAppError(err, 'overloaded')) return true;
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  if (err.name === 'ReplyError') return NOT_NOW.test(err.message);
  if (
    err.message === 'Command timed out' ||
    err.message === 'Connection is closed.' ||
    err.message.startsWith("Stream isn't writeable")
  ) {
    return true;
  }
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}
