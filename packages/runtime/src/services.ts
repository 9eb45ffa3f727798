import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { migrate, migrationsApplied, openClickHouse, type ClickHouse } from '@thumbline/clickhouse';
import { createMetrics, type Logger, type Metrics } from '@thumbline/core';
import { createKeys, createRedis, CredentialStore, whenReady, type ApplyBatchOptions, type Keys } from '@thumbline/redis';
import { dataPaths, type Env } from './config.ts';
import { startLocalRedis, type LocalRedis } from './local-redis.ts';

/** The connections and shared objects one process needs, whatever roles it runs. */
export interface Services {
  env: Env;
  log: Logger;
  keys: Keys;
  /** Fail-fast connection for request paths and scripts. */
  redis: Redis;
  /** A new connection that waits out Redis outages (BullMQ, blocking reads). */
  connect: () => Redis;
  ch: ClickHouse;
  store: CredentialStore;
  metrics: Metrics;
  state: ApplyBatchOptions;
  consumer: string;
  readiness: Record<string, () => Promise<boolean>>;
  close(): Promise<void>;
}

const DAY_S = 86_400;

/**
 * Opens Redis (a private redis-server when REDIS_URL is unset) and ClickHouse (embedded
 * chDB under the data dir when CLICKHOUSE_URL is unset) and applies migrations.
 */
export async function openServices(env: Env, log: Logger): Promise<Services> {
  const paths = dataPaths(env);
  let local: LocalRedis | null = null;
  if (!env.REDIS_URL) local = await startLocalRedis(paths.redis, log);
  const url = env.REDIS_URL ?? (local as LocalRedis).url;
  const opened: Redis[] = [];
  const connect = () => {
    const r = createRedis(url, 'queue');
    r.on('error', (err) => log.debug({ err }, 'redis connection error'));
    opened.push(r);
    return r;
  };
  const redis = createRedis(url, 'edge');
  redis.on('error', (err) => log.debug({ err }, 'redis connection error'));
  await whenReady(redis);
  const keys = createKeys(env.THUMBLINE_REDIS_PREFIX);

  let ch: ClickHouse | null = null;
  try {
    ch = await openClickHouse(
    env.CLICKHOUSE_URL
      ? {
          kind: 'server',
          url: env.CLICKHOUSE_URL,
          username: env.CLICKHOUSE_USER,
          password: env.CLICKHOUSE_PASSWORD,
          database: env.CLICKHOUSE_DATABASE,
        }
      : { kind: 'embedded', path: paths.clickhouse, database: env.CLICKHOUSE_DATABASE },
    );
    const applied = await migrate(ch);
    if (applied.length > 0) log.info({ applied }, 'applied ClickHouse migrations');
  } catch (err) {
    redis.disconnect();
    await ch?.close();
    await local?.stop();
    throw err;
  }
  const clickhouse = ch;

  const metrics = createMetrics();
  return {
    env,
    log,
    keys,
    redis,
    connect,
    ch: clickhouse,
    store: new CredentialStore(redis, keys),
    metrics,
    state: {
      dedupTtlSeconds: env.THUMBLINE_DEDUP_DAYS * DAY_S,
      // State must outlive the oldest event still accepted, so a late change can retract.
      stateTtlSeconds: (env.THUMBLINE_MAX_EVENT_AGE_DAYS + 7) * DAY_S,
      resultTtlSeconds: 7 * DAY_S,
    },
    consumer: env.THUMBLINE_CONSUMER ?? hostname(),
    readiness: {
      redis: async () => (await redis.ping()) === 'PONG',
      clickhouse: () => clickhouse.ping(),
      migrations: () => migrationsApplied(clickhouse),
    },
    async close() {
      redis.disconnect();
      for (const r of opened) r.disconnect();
      await clickhouse.close();
      await local?.stop();
    },
  };
}
