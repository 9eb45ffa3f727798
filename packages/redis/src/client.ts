import { Redis, type RedisOptions } from 'ioredis';
import { defineScripts } from './batch-state.store.ts';
import { definePublishScript } from './live.ts';
import { defineAppendScript } from './event-stream.ts';

/**
 * How a connection behaves when Redis is away:
 * - `edge`: fail fast (no offline queue, one retry, a deadline per command) so requests
 *   answer 503 within 2 s whether Redis is down or only not answering (paused, swapping);
 * - `queue`: block and retry forever, as BullMQ requires (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'edge' | 'queue';

/** How long an edge command may take: a request still answers within 2 s when it does not. */
export const EDGE_COMMAND_TIMEOUT_MS = 1500;

/** Opens an ioredis connection for a role. */
export function createRedis(url: string, role: RedisRole, options: RedisOptions = {}): Redis {
  const byRole: RedisOptions =
    role === 'edge'
      ? {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          commandTimeout: EDGE_COMMAND_TIMEOUT_MS,
          enableAutoPipelining: true,
        }
      : { maxRetriesPerRequest: null, enableReadyCheck: true };
  const redis = new Redis(url, {
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    ...byRole,
    ...options,
  });
  defineScripts(redis);
  definePublishScript(redis);
  defineAppendScript(redis);
  return redis;
}

/** Resolves once the connection is ready (an edge connection refuses commands before). */
export function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      fail(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      ok();
    };
    redis.once('ready', onReady);
  });
}
