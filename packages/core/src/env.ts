import { z } from 'zod';

/**
 * Env pieces shared by the roles. Only `apps/*\/src/env.ts` reads `process.env`;
 * they compose these schemas and parse once at start.
 */
export const redisEnv = {
  /** One Redis, or with REDIS_CLUSTER=true seed nodes of a Redis Cluster, comma-separated. */
  REDIS_URL: z
    .string()
    .refine((v) => v.split(',').every((u) => URL.canParse(u.trim())), 'a redis:// URL, or several comma-separated')
    .optional(),
  REDIS_CLUSTER: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Partitions of a new install (fixed once created: ADR 0009). */
  THUMBLINE_PARTITIONS: z.coerce.number().int().min(1).max(1024).default(16),
  /** Prefix of every Redis key and BullMQ queue, so several installs can share a Redis. */
  THUMBLINE_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,32}$/)
    .default('tl'),
};

export const clickhouseEnv = {
  CLICKHOUSE_URL: z.string().url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  /** With a server: the user analyst SQL (POST /v1/sql) runs as (its own caps and grants); default: CLICKHOUSE_USER. */
  CLICKHOUSE_SQL_USER: z.string().min(1).optional(),
  CLICKHOUSE_SQL_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
    .default('thumbline'),
  /** Embedded only: connections to the engine, each running one statement at a time (a batch's inserts, lookups, dashboards). */
  CLICKHOUSE_CONNECTIONS: z.coerce.number().int().min(1).max(16).default(3),
  /** A cluster in the server's remote_servers: migrations create Replicated + Distributed tables on it. */
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
    .optional(),
};

export const commonEnv = {
  THUMBLINE_DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const httpEnv = {
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
};

export const alertsEnv = {
  /** Let alert webhooks reach loopback, private and link-local addresses (tests, a receiver on the same host). */
  THUMBLINE_WEBHOOK_ALLOW_PRIVATE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
};

export const ingestEnv = {
  THUMBLINE_MAX_EVENT_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
};

/**
 * Parses `source` with `shape`, failing fast with one readable line per bad variable.
 */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined>,
): z.infer<z.ZodObject<S>> {
  // An empty variable counts as unset (compose files often pass VAR= through).
  const given = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.object(shape).safeParse(given);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}
