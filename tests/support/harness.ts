// Test harness: real Redis (shared server, own key prefix) and real embedded ClickHouse
// (own data dir and database per test file).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { clickHouseArchive, type Archive, type StateOptions } from '@thumbline/batch';
import { migrate, openClickHouse, type ClickHouse } from '@thumbline/clickhouse';
import { createLogger, createMetrics, type Logger, type Metrics } from '@thumbline/core';
import {
  createKeys,
  createRedisClient,
  CredentialStore,
  SettingsStore,
  whenReady,
  type AdmissionLimits,
  type Keys,
  type RedisClient,
} from '@thumbline/redis';

export interface TestEnv {
  redisUrl: string;
  /** The run's Redis is a cluster (`redisUrl` lists its seed nodes). */
  redisCluster: boolean;
  redis: RedisClient;
  keys: Keys;
  store: CredentialStore;
  settings: SettingsStore;
  ch: ClickHouse;
  log: Logger;
  metrics: Metrics;
  state: StateOptions;
  /** The batch state's archive in this env's ClickHouse. */
  archive: Archive;
  maxEventAgeDays: number;
  limits: AdmissionLimits;
  dir: string;
  /** A new 'queue' connection, closed by cleanup. */
  connect(): RedisClient;
  cleanup(): Promise<void>;
}

/** Long generations with room to spare: tests of the tiers set their own. */
export const testState: StateOptions = {
  generationSeconds: 37 * 86400,
  generationBytes: 1024 ** 3,
  recordTtlSeconds: 7 * 86400,
};

/** Opens Redis and ClickHouse for one test file. */
export async function openTestEnv(name: string): Promise<TestEnv> {
  const redisUrl = inject('redisUrl');
  const prefix = `t${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), `thumbline-${name}-`));
  const ch = await openClickHouse({
    kind: 'embedded',
    path: join(dir, 'ch'),
    database: `t_${name.replace(/\W/g, '_')}`,
    // Two shared cores under a whole test run: a slow query is not a dependency down here
    // (deadline tests set their own).
    timeouts: { queryMs: 15_000 },
  });
  await migrate(ch);
  const cluster = inject('redisCluster');
  const redis = createRedisClient(redisUrl, 'edge', { cluster });
  await whenReady(redis);
  const keys = createKeys(prefix);
  const opened: RedisClient[] = [redis];
  return {
    redisUrl,
    redisCluster: cluster,
    redis,
    keys,
    store: new CredentialStore(redis, keys),
    settings: new SettingsStore(redis, keys),
    ch,
    log: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    state: testState,
    archive: clickHouseArchive(redis, ch, testState),
    maxEventAgeDays: 30,
    limits: { eventsPerSecond: 0, maxBacklog: 0, maxBacklogAgeMs: 0, eventsPerSecondPerClient: 0 },
    dir,
    connect() {
      const r = createRedisClient(redisUrl, 'queue', { cluster });
      opened.push(r);
      return r;
    },
    async cleanup() {
      for (const r of opened) r.disconnect();
      await ch.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `fn` until it returns a value `ok` accepts, or fails after `timeoutMs`. A throw
 * (say, a connection reset by a server that just restarted) counts as "not yet".
 */
export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (ok(value)) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? `${err.name}: ${err.message}` : err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Env for a spawned Thumbline process to use the run's Redis (its own private one in the single-Redis run). */
export function spawnRedisEnv(): Record<string, string> {
  if (!inject('redisCluster')) return {};
  return {
    REDIS_URL: inject('redisUrl'),
    REDIS_CLUSTER: 'true',
    THUMBLINE_REDIS_PREFIX: `x${randomUUID().slice(0, 8)}`,
  };
}
