import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

/**
 * How a connection behaves when Redis is away:
 * - `edge`: fail fast (no offline queue, one retry, a deadline per command) so requests
 *   answer 503 within 2 s whether Redis is down or only not answering (paused, swapping);
 * - `queue`: block and retry forever, as BullMQ requires (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'edge' | 'queue';

/** How long an edge command may take: a request still answers within 2 s when it does not. */
export const EDGE_COMMAND_TIMEOUT_MS = 1500;

/** A connection to one Redis or to a Redis Cluster: every module takes either. */
export type RedisClient = Redis | Cluster;

/** Seed nodes of a cluster from `redis://[:password@]host:port` URLs, comma-separated. */
export function clusterSeeds(urls: string): { nodes: ClusterNode[]; password?: string; username?: string } {
  let password: string | undefined;
  let username: string | undefined;
  const nodes = urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)
    .map((u) => {
      const url = new URL(u);
      if (url.password) password = decodeURIComponent(url.password);
      if (url.username) username = decodeURIComponent(url.username);
      return { host: url.hostname, port: Number(url.port || 6379) };
    });
  if (nodes.length === 0) throw new Error('REDIS_URL names no cluster node');
  return { nodes, ...(password ? { password } : {}), ...(username ? { username } : {}) };
}

/**
 * Opens a connection for a role: to one Redis, or with `cluster` to a Redis Cluster whose
 * seed nodes `url` lists (comma-separated). Scripts need nothing per connection (scripts.ts).
 */
export function createRedisClient(
  url: string,
  role: RedisRole,
  options: { cluster?: boolean } & RedisOptions = {},
): RedisClient {
  const { cluster, ...rest } = options;
  if (!cluster) return createRedis(url, role, rest);
  const { nodes, password, username } = clusterSeeds(url);
  const client = new Cluster(nodes, {
    redisOptions: {
      ...roleOptions(role),
      ...(password ? { password } : {}),
      ...(username ? { username } : {}),
      ...rest,
    },
    enableOfflineQueue: role !== 'edge',
    // On a cluster edge connections still auto-pipeline (per node), with the deadline chaining
    // roleOptions describes: without it, the cluster crash test once counted 20 events twice in a
    // clean-clone CI run (3,020 of 3,000; it passed 4 runs alone) and the cause is not found yet.
    enableAutoPipelining: role === 'edge',
    clusterRetryStrategy: (times) => Math.min(times * 100, 2000),
    slotsRefreshTimeout: 2000,
  });
  return client;
}

function roleOptions(role: RedisRole): RedisOptions {
  return role === 'edge'
    ? {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        commandTimeout: EDGE_COMMAND_TIMEOUT_MS,
        // No autopipelining: ioredis runs one auto-pipeline at a time per connection, so a
        // command sent while Redis stalls waits for the earlier pipeline's deadline before its own
        // starts (a request answered 503 after 3 s). The hot path batches itself (turn-batch.ts).
        enableAutoPipelining: false,
      }
    : { maxRetriesPerRequest: null, enableReadyCheck: true };
}

/** Opens an ioredis connection to one Redis for a role. */
export function createRedis(url: string, role: RedisRole, options: RedisOptions = {}): Redis {
  const byRole = roleOptions(role);
  const redis = new Redis(url, {
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    ...byRole,
    ...options,
  });
  return redis;
}

/** Resolves once the connection is ready (an edge connection refuses commands before). */
export function whenReady(redis: RedisClient, timeoutMs = 10_000): Promise<void> {
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
