import { join } from 'node:path';
import { z } from 'zod';
import { alertsEnv, clickhouseEnv, commonEnv, httpEnv, ingestEnv, parseEnv, redisEnv } from '@thumbline/core';

/** Every setting a Thumbline process reads from its environment. */
export const envShape = {
  ...commonEnv,
  ...httpEnv,
  ...redisEnv,
  ...clickhouseEnv,
  ...ingestEnv,
  ...alertsEnv,
  THUMBLINE_PUBLIC_URL: z.string().url().optional(),
  /** When set, /metrics wants `Authorization: Bearer <token>`; long enough not to be guessed. */
  THUMBLINE_METRICS_TOKEN: z.string().min(16, 'at least 16 characters (openssl rand -hex 32)').optional(),
  THUMBLINE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  THUMBLINE_BATCH_MAX_EVENTS: z.coerce.number().int().min(1).max(50_000).default(5000),
  THUMBLINE_BATCH_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(20),
  THUMBLINE_CONSUMER: z.string().min(1).max(128).optional(),
  /**
   * Longest one generation of the worker's dedup and latest-wins state lasts (Redis holds the
   * current and the previous one) before only ClickHouse has it (ADR 0010); a generation that
   * reaches its byte budget (THUMBLINE_STATE_BUDGET_SHARE) closes sooner.
   */
  THUMBLINE_HOT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3600),
  /**
   * Share of Redis's maxmemory the batch state may hold (ADR 0010): a generation closes when it
   * reaches its part of it or its time, whichever comes first. Ingest stops taking events at
   * 1 - this - 0.1 of maxmemory, so the workers always have room to drain what was accepted.
   */
  THUMBLINE_STATE_BUDGET_SHARE: z.coerce.number().min(0.05).max(0.6).default(0.25),
  THUMBLINE_BATCH_ATTEMPTS: z.coerce.number().int().min(1).default(1000),
  THUMBLINE_RATE_LIMIT: z.coerce.number().int().min(0).default(20_000),
  /** Events per second one client address may send with a public key (0 = off). */
  THUMBLINE_PUBLIC_CLIENT_RATE_LIMIT: z.coerce.number().int().min(0).default(50),
  /** Proxy hops in front of ingest whose X-Forwarded-For is trusted (0: the socket's peer is the client). */
  THUMBLINE_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  THUMBLINE_MAX_BACKLOG: z.coerce.number().int().min(0).default(1_000_000),
  THUMBLINE_MAX_BACKLOG_AGE_S: z.coerce.number().int().min(0).default(600),
  THUMBLINE_MAX_BACKLOG_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(512 * 1024 * 1024),
  /** maxmemory of the private redis-server under npm start (redis.conf units: 2gb, 512mb). */
  THUMBLINE_REDIS_MAXMEMORY: z
    .string()
    .regex(/^\d+(kb|mb|gb)?$/i, 'a size such as 2gb or 512mb')
    .default('2gb'),
  /**
   * Days raw events, transcripts and conversation summaries are kept (CONTRACT §14), applied as
   * ClickHouse TTLs on start (docs/operations.md, Retention).
   */
  THUMBLINE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
  /** Days the signed changes, the 15-minute aggregates and the state that retracts them are kept. */
  THUMBLINE_AGGREGATE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(1825),
  /** Days dead events and webhook delivery records are kept in Redis. */
  THUMBLINE_DEAD_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** OTLP/HTTP collector (e.g. http://127.0.0.1:4318): traces on when set (docs/operations.md, Tracing). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(128).optional(),
  /** ClickHouse deadline of a dashboard query, ms: past it the request answers 503. */
  THUMBLINE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(1800),
};

export type Env = z.infer<z.ZodObject<typeof envShape>>;

export function loadEnv(source: Record<string, string | undefined>): Env {
  return parseEnv(envShape, source);
}

/** loadEnv for a process entry point: a bad variable ends the process with a readable message. */
export function loadEnvOrExit(source: Record<string, string | undefined>): Env {
  try {
    return loadEnv(source);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

/** Where things live under the data dir. */
export function dataPaths(env: Env) {
  return {
    redis: join(env.THUMBLINE_DATA_DIR, 'redis'),
    clickhouse: join(env.THUMBLINE_DATA_DIR, 'clickhouse'),
  };
}
