// Faults on purpose: ClickHouse unreachable for a while, a batch that can never be
// inserted (dead letter, then replay), Redis stopped and restarted. Each ends with the
// exact expected counts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import type { Overview } from '@thumbline/events';
import { createRedis, newToken } from '@thumbline/redis';
import { deadLetters, replayDeadLetters } from '@thumbline/worker';
import { createRouter, mountOps } from '@thumbline/http';
import { migrationsApplied } from '@thumbline/clickhouse';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { FlakyClickHouse } from './support/flaky-clickhouse.ts';
import { thumb } from './support/events.ts';
import { freePort } from './support/spawn.ts';
import { entriesInStreams, startTestWorker } from './support/pipeline.ts';

let env: TestEnv;
let flaky: FlakyClickHouse;
const sk = newToken('secret');
const dt = newToken('dashboard');
const NOW = Date.now();
const DAY = new Date(NOW).toISOString().slice(0, 10);
const FROM = new Date(NOW - 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  env = await openTestEnv('faults');
  flaky = new FlakyClickHouse(env.ch);
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
});
afterAll(() => env.cleanup());

async function send(events: object[], redis = env.redis) {
  return createIngestApp({ ...env, redis }).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
}

async function ups(): Promise<number> {
  const res = await createApiApp({ ...env, ch: env.ch }).request(
    `/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`,
    {
      headers: { authorization: `Bearer ${dt}` },
    },
  );
  return ((await res.json()) as Overview).thumbs.up;
}

const worker = (attempts: number) =>
  startTestWorker(env, { ch: flaky, retry: { attempts, baseMs: 20, maxMs: 100 }, pump: { consumer: 'faults' } });

const thumbs = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => thumb(`${tag}-c${i}`, `${tag}-m${i}`, 'up', NOW - 1000));

describe('faults', () => {
  it('ClickHouse down: ingest keeps accepting, workers retry, everything lands once when it is back; /readyz says what is down', async () => {
    const w = worker(1000);
    try {
      flaky.down = true;
      const ops = createRouter();
      mountOps(ops, {
        checks: { clickhouse: () => flaky.ping(), migrations: () => migrationsApplied(flaky).catch(() => false) },
        registry: env.metrics.registry,
        title: 't',
      });
      const ready = await ops.request('/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ checks: { clickhouse: 'down' } });
      for (let i = 0; i < 5; i++) expect((await send(thumbs(20, `down${i}`))).status).toBe(202);
      await eventually(
        async () => flaky.failures,
        (n) => n >= 5,
        10_000,
      );
      flaky.down = false;
      expect(await eventually(ups, (n) => n >= 100, 20_000)).toBe(100);
      await new Promise((r) => setTimeout(r, 300));
      expect(await ups()).toBe(100);
    } finally {
      flaky.down = false;
      await w.close();
    }
  });

  it('a batch that can never be inserted becomes a dead letter, the rest flows, and a replay counts it once', async () => {
    const w = worker(3);
    // The worker's own batch queue holds its dead letters (ADR 0009).
    const queue = w.queue;
    try {
      const before = await ups();
      flaky.poison = 'poison-c0';
      // One conversation, so one partition: the three events travel in one entry, one job.
      const poisoned = Array.from({ length: 3 }, (_, i) => thumb('poison-c0', `poison-m${i}`, 'up', NOW - 1000));
      expect((await send(poisoned)).status).toBe(202);
      await eventually(
        () => deadLetters(queue),
        (d) => d.length === 1,
        20_000,
      );
      expect((await send(thumbs(4, 'healthy'))).status).toBe(202);
      expect(await eventually(ups, (n) => n === before + 4, 20_000)).toBe(before + 4);
      const [dead] = await deadLetters(queue);
      expect(dead).toMatchObject({ attempts: 3, events: 3 });
      expect(dead?.failedReason).toContain('poison');
      expect((await env.metrics.registry.getSingleMetricAsString('thumbline_dead_letters_total')).trim()).toMatch(
        / 1$/,
      );
      flaky.poison = null; // fixed
      expect(await replayDeadLetters(queue)).toBe(1);
      expect(await eventually(ups, (n) => n === before + 7, 20_000)).toBe(before + 7);
      expect(await replayDeadLetters(queue)).toBe(0);
    } finally {
      flaky.poison = null;
      await w.close();
    }
  });

  it('Redis stopped: ingest answers 503 while it is away and recovers by itself; nothing accepted is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thumbline-redis-fault-'));
    const port = await freePort();
    const startRedis = () =>
      spawn(
        'redis-server',
        ['--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', '', '--maxmemory-policy', 'noeviction'],
        {
          stdio: 'ignore',
        },
      );
    let server = startRedis();
    const url = `redis://127.0.0.1:${port}`;
    const edge = createRedis(url, 'edge');
    edge.on('error', () => {});
    try {
      await eventually(
        async () => edge.status,
        (s) => s === 'ready',
        10_000,
      );
      expect((await send(thumbs(1, 'r1'), edge)).status).toBe(202);
      // SIGTERM: Redis flushes its AOF and exits.
      await new Promise((r) => {
        server.once('exit', r);
        server.kill('SIGTERM');
      });
      const away = await send(thumbs(1, 'r2'), edge);
      expect(away.status).toBe(503);
      expect(away.headers.get('retry-after')).toBeTruthy();
      server = startRedis();
      const back = await eventually(
        async () => (await send(thumbs(1, 'r3'), edge)).status,
        (s) => s === 202,
        15_000,
      );
      expect(back).toBe(202);
      // Both accepted requests survived the restart (AOF).
      expect(await entriesInStreams(edge, env.keys)).toBe(2);
    } finally {
      edge.disconnect();
      server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
