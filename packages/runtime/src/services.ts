import { hostname } from 'node:os';
import {
  applyRetention,
  migrate,
  migrationsApplied,
  onCluster,
  openClickHouse,
  type ClickHouse,
} from '@thumbline/clickhouse';
import type { StateOptions } from '@thumbline/batch';
import { createMetrics, tracingOn, type Logger, type Metrics } from '@thumbline/core';
import {
  BacklogGuard,
  createKeys,
  createRedisClient,
  ensureInstall,
  redisMaxMemory,
  CredentialStore,
  SettingsStore,
  whenReady,
  type AdmissionLimits,
  type Keys,
  type LiveBudget,
  type RedisClient,
} from '@thumbline/redis';
import { dataPaths, type Env } from './config.ts';
import { startLocalRedis, type LocalRedis } from './local-redis.ts';
import { startTracing, tracedClickHouse } from './tracing-sdk.ts';

/** What every role needs: Redis and the shared per-process objects. */
export interface RedisServices {
  env: Env;
  log: Logger;
  keys: Keys;
  /** Where Redis is (REDIS_URL, or the private redis-server's address): another thread of this process connects there. */
  redisUrl: string;
  /** Fail-fast connection for request paths and scripts. */
  redis: RedisClient;
  /** A new connection that waits out Redis outages (BullMQ, blocking reads). */
  connect: () => RedisClient;
  store: CredentialStore;
  settings: SettingsStore;
  metrics: Metrics;
  state: StateOptions;
  /** Bytes the live buffers may hold (a share of maxmemory). */
  live: LiveBudget;
  /** THUMBLINE_MAX_EVENT_AGE_DAYS */
  maxEventAgeDays: number;
  limits: AdmissionLimits;
  /** Ingest's memory check: near Redis's maxmemory or over the stream's byte cap, ingest answers 503. */
  backlog: BacklogGuard;
  consumer: string;
  readiness: Record<string, () => Promise<boolean>>;
  close(): Promise<void>;
}

/** Roles that read or write ClickHouse also get it. */
export interface Services extends RedisServices {
  ch: ClickHouse;
}

const DAY_S = 86_400;

/** The state budget when Redis has no maxmemory to take a share of. */
const UNBOUNDED_REDIS_STATE_BYTES = 512 * 1024 ** 2;
/** Share of maxmemory the live buffers (recent deltas, the live stream) may hold. */
const LIVE_SHARE = 0.05;
/** Share of maxmemory ingest stops at is what is left after the state, the live buffers and this headroom. */
const HEADROOM_SHARE = 0.1;

/**
 * Redis's memory, shared out (ADR 0010, ADR 0012): the batch state holds at most `stateShare`
 * of `maxmemory` (an eighth of it the partitions' filters of archived fields; of the rest, per
 * partition two generations, and a third while the oldest is archived: each closes at a third
 * of its partition's part),
 * the live buffers 5 %, and ingest stops taking events once Redis holds what is left but a
 * headroom. So however much was accepted, what the workers write while they drain it fits.
 */
export function memoryShares(maxMemory: number, stateShare: number, partitions: number) {
  const stateBytes = maxMemory > 0 ? Math.floor(maxMemory * stateShare) : UNBOUNDED_REDIS_STATE_BYTES;
  const liveBytes = maxMemory > 0 ? Math.floor(maxMemory * LIVE_SHARE) : 20 * 1024 ** 2;
  return {
    // An eighth of the state's share is the partitions' filters of archived fields (state/archive-filter.ts).
    generationBytes: Math.max(64 * 1024, Math.floor((stateBytes * 7) / 8 / (3 * partitions))),
    archiveFilterBytes: Math.max(64 * 1024, Math.floor(stateBytes / 8 / partitions)),
    live: {
      historyBytes: Math.max(256 * 1024, Math.floor(liveBytes / 4)),
      streamBytes: Math.max(1024 ** 2, Math.floor(liveBytes / 2)),
    },
    ingestShare: 1 - stateShare - LIVE_SHARE - HEADROOM_SHARE,
  };
}

/**
 * Opens Redis: REDIS_URL, or a private redis-server under the data dir when it is unset
 * (`allowLocal`, the all-in-one process only).
 */
export async function openRedisServices(
  env: Env,
  log: Logger,
  opts: {
    allowLocal: boolean;
    /** False in a second thread of a process whose main thread collects the process's metrics. */
    processMetrics?: boolean;
  },
): Promise<RedisServices> {
  if (!env.REDIS_URL && !opts.allowLocal) {
    throw new Error(
      'REDIS_URL is required when a role runs on its own (the roles share one Redis); npm start runs everything in one process.',
    );
  }
  const local: LocalRedis | null = env.REDIS_URL
    ? null
    : await startLocalRedis(dataPaths(env).redis, log, { maxmemory: env.THUMBLINE_REDIS_MAXMEMORY });
  if (env.REDIS_CLUSTER && !env.REDIS_URL) {
    throw new Error('REDIS_CLUSTER=true needs REDIS_URL: one or more seed nodes of the cluster, comma-separated.');
  }
  const url = env.REDIS_URL ?? (local as LocalRedis).url;
  const stopTracing = await startTracing(env, opts.processMetrics === false ? 'http' : 'main');
  const opened: RedisClient[] = [];
  const open = (role: 'edge' | 'queue') => {
    const r = createRedisClient(url, role, { cluster: env.REDIS_CLUSTER });
    r.on('error', (err) => log.debug({ err }, 'redis connection error'));
    opened.push(r);
    return r;
  };
  const redis = open('edge');
  let backlog: BacklogGuard | undefined;
  const close = async () => {
    backlog?.stop();
    for (const r of opened) r.disconnect();
    await local?.stop();
    await stopTracing();
  };
  try {
    await whenReady(redis);
  } catch (err) {
    await close();
    throw err;
  }
  const install = await ensureInstall(redis, `${env.THUMBLINE_REDIS_PREFIX}:install`, env.THUMBLINE_PARTITIONS);
  if (install.partitions !== env.THUMBLINE_PARTITIONS && !install.created) {
    log.warn(
      { stored: install.partitions, configured: env.THUMBLINE_PARTITIONS },
      'THUMBLINE_PARTITIONS differs from the install record; the install keeps its partitions',
    );
  }
  const keys = createKeys(env.THUMBLINE_REDIS_PREFIX, install.partitions);
  const shares = memoryShares(await redisMaxMemory(redis), env.THUMBLINE_STATE_BUDGET_SHARE, keys.partitions);
  backlog = new BacklogGuard(redis, keys, {
    maxBacklogBytes: env.THUMBLINE_MAX_BACKLOG_BYTES,
    memoryShare: shares.ingestShare,
  }).start();
  const guard = backlog;
  return {
    env,
    log,
    keys,
    redisUrl: url,
    redis,
    connect: () => open('queue'),
    store: new CredentialStore(redis, keys),
    settings: new SettingsStore(redis, keys),
    metrics: createMetrics({
      process: opts.processMetrics !== false,
      redisMemory: () => ({
        usedMemory: guard.last.usedMemory,
        maxMemory: guard.last.maxMemory,
        ingestLimit: Math.floor(guard.last.maxMemory * shares.ingestShare),
      }),
    }),
    state: {
      // The hot window (ADR 0010): older ids are found in ClickHouse's events, older states
      // in its state_archive, so idempotency and retractions outlive it.
      generationSeconds: env.THUMBLINE_HOT_WINDOW_SECONDS,
      generationBytes: shares.generationBytes,
      archiveFilterBytes: shares.archiveFilterBytes,
      // A failed batch's record must outlive its dead letter (kept 30 days) for a replay.
      recordTtlSeconds: 31 * DAY_S,
    },
    live: shares.live,
    maxEventAgeDays: env.THUMBLINE_MAX_EVENT_AGE_DAYS,
    limits: {
      eventsPerSecond: env.THUMBLINE_RATE_LIMIT,
      maxBacklog: env.THUMBLINE_MAX_BACKLOG,
      maxBacklogAgeMs: env.THUMBLINE_MAX_BACKLOG_AGE_S * 1000,
      eventsPerSecondPerClient: env.THUMBLINE_PUBLIC_CLIENT_RATE_LIMIT,
    },
    backlog,
    consumer: env.THUMBLINE_CONSUMER ?? hostname(),
    readiness: { redis: async () => (await redis.ping()) === 'PONG' },
    close,
  };
}

/**
 * Opens Redis and ClickHouse (embedded chDB under the data dir when CLICKHOUSE_URL is
 * unset and `allowLocal`) and applies migrations.
 */
export async function openServices(env: Env, log: Logger, opts: { allowLocal: boolean }): Promise<Services> {
  if (!env.CLICKHOUSE_URL && !opts.allowLocal) {
    throw new Error(
      'CLICKHOUSE_URL is required when a role runs on its own (embedded ClickHouse belongs to one process); npm start runs everything in one process.',
    );
  }
  const base = await openRedisServices(env, log, opts);
  const timeouts = { queryMs: env.THUMBLINE_QUERY_TIMEOUT_MS };
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
            timeouts,
            ...(env.CLICKHOUSE_SQL_USER
              ? { analyst: { username: env.CLICKHOUSE_SQL_USER, password: env.CLICKHOUSE_SQL_PASSWORD } }
              : {}),
          }
        : {
            kind: 'embedded',
            path: dataPaths(env).clickhouse,
            database: env.CLICKHOUSE_DATABASE,
            connections: env.CLICKHOUSE_CONNECTIONS,
            timeouts,
          },
    );
    if (env.CLICKHOUSE_CLUSTER) ch = await onCluster(ch, env.CLICKHOUSE_CLUSTER);
    const applied = await migrate(ch, undefined, { cluster: env.CLICKHOUSE_CLUSTER });
    if (applied.length > 0) log.info({ applied }, 'applied ClickHouse migrations');
    const retention = { rawDays: env.THUMBLINE_RETENTION_DAYS, aggregateDays: env.THUMBLINE_AGGREGATE_RETENTION_DAYS };
    const retimed = await applyRetention(ch, retention);
    if (retimed.length > 0) log.info({ tables: retimed, ...retention }, 'set ClickHouse TTLs (retention)');
  } catch (err) {
    await ch?.close();
    await base.close();
    throw err;
  }
  const clickhouse = tracingOn() ? tracedClickHouse(ch) : ch;
  return {
    ...base,
    ch: clickhouse,
    readiness: {
      ...base.readiness,
      clickhouse: () => clickhouse.ping(),
      migrations: () => migrationsApplied(clickhouse),
    },
    async close() {
      await clickhouse.close();
      await base.close();
    },
  };
}
