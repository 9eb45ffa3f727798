// Deadlines everywhere: a Redis that is paused (SIGSTOP) or killed, and a ClickHouse server
// that accepts connections but never answers, give 503 with Retry-After within 2 s on every
// route; after they come back every accepted event counts exactly once; shutdown ends in
// time whatever the dependencies do; ingest stops before Redis runs out of memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { openClickHouse } from '@thumbline/clickhouse';
import type { Overview } from '@thumbline/events';
import {
  BacklogGuard,
  createKeys,
  createRedis,
  CredentialStore,
  newToken,
  SettingsStore,
  type Keys,
} from '@thumbline/redis';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { freePort, spawnEntry } from './support/spawn.ts';
import { startTestWorker } from './support/pipeline.ts';

let env: TestEnv;
let dir: string;
let port: number;
let redisProc: ChildProcess;
let edge: Redis;
let keys: Keys;
let deps: TestEnv;
const sk = newToken('secret');
const dt = newToken('dashboard');
const NOW = Date.now();
const DAY = new Date(NOW).toISOString().slice(0, 10);
const FROM = new Date(NOW - 86_400_000).toISOString().slice(0, 10);

function startRedis(): ChildProcess {
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
    { stdio: 'ignore' },
  );
}

beforeAll(async () => {
  env = await openTestEnv('deadlines');
  dir = mkdtempSync(join(tmpdir(), 'thumbline-deadlines-'));
  port = await freePort();
  redisProc = startRedis();
  edge = createRedis(`redis://127.0.0.1:${port}`, 'edge');
  edge.on('error', () => {});
  await eventually(
    async () => edge.status,
    (s) => s === 'ready',
    10_000,
  );
  keys = createKeys(`d${randomUUID().slice(0, 6)}`);
  const store = new CredentialStore(edge, keys);
  await store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
  await store.addToken(dt, { workspace_id: 'w', kind: 'dashboard' });
  deps = { ...env, redis: edge, keys, store, settings: new SettingsStore(edge, keys) };
});

afterAll(async () => {
  edge.disconnect();
  redisProc.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await env.cleanup();
});

const ingest = async (events: object[]) =>
  createIngestApp(deps).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });

const api = async (method: string, path: string, body?: object) =>
  createApiApp(deps).request(path, {
    method,
    headers: { authorization: `Bearer ${dt}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });

const overviewPath = `/v1/analytics/overview?from=${FROM}&to=${DAY}`;

/** Every route that needs Redis, answered within 2 s with 503 and Retry-After. */
async function expectFast503s(events: object[]) {
  const calls: [string, () => Promise<Response>][] = [
    ['ingest', () => ingest(events)],
    ['overview', () => api('GET', overviewPath)],
    ['settings GET', () => api('GET', '/v1/settings/widgets/bubble')],
    ['settings PUT', () => api('PUT', '/v1/settings/widgets/bubble', { csat_enabled: false })],
    ['auto-end GET', () => api('GET', '/v1/settings/languages/de/auto-end')],
  ];
  for (const [name, call] of calls) {
    const started = Date.now();
    const res = await call();
    const ms = Date.now() - started;
    expect(res.status, name).toBe(503);
    expect(res.headers.get('retry-after'), name).toBeTruthy();
    expect(((await res.json()) as { error: { code: string } }).error.code, name).toBe('overloaded');
    expect(ms, `${name} took ${ms} ms`).toBeLessThan(2000);
  }
}

async function thumbsUp(): Promise<number> {
  const res = await api('GET', overviewPath);
  return ((await res.json()) as Overview).thumbs.up;
}

/** Runs a worker on the private Redis until `up` thumbs are counted, then a little longer: none more. */
async function countedExactly(up: number) {
  const worker = startTestWorker(deps, {
    connect: () => {
      const r = createRedis(`redis://127.0.0.1:${port}`, 'queue');
      r.on('error', () => {});
      return r;
    },
    pump: { consumer: 'deadlines' },
  });
  try {
    expect(await eventually(thumbsUp, (n) => n >= up, 20_000)).toBe(up);
    await new Promise((r) => setTimeout(r, 500));
    expect(await thumbsUp()).toBe(up);
  } finally {
    await worker.close();
  }
}

describe('deadlines', () => {
  it('Redis paused: every route answers 503 within 2 s; resumed, every accepted event counts once', async () => {
    const before = [thumb('p1', 'pm1', 'up', NOW - 1000)];
    expect((await ingest(before)).status).toBe(202);
    const during = [thumb('p2', 'pm2', 'up', NOW - 1000)];
    redisProc.kill('SIGSTOP');
    try {
      await expectFast503s(during);
    } finally {
      redisProc.kill('SIGCONT');
    }
    // A client resends what got a 503 (its append may still have landed once Redis resumed:
    // the event id makes the resend harmless).
    expect(
      await eventually(
        async () => (await ingest(during)).status,
        (s) => s === 202,
        10_000,
      ),
    ).toBe(202);
    await countedExactly(2);
  });

  it('Redis paused: each command on an edge connection fails at its own deadline, not queued behind an earlier one', async () => {
    redisProc.kill('SIGSTOP');
    try {
      const timed = async (run: () => Promise<unknown>) => {
        const started = Date.now();
        await expect(run()).rejects.toThrow(/timed out/);
        return Date.now() - started;
      };
      // A second command sent while the first waits (as a backlog poll and a request do).
      const first = timed(() => edge.ping());
      await new Promise((r) => setTimeout(r, 500));
      const second = timed(() => edge.get('any'));
      expect(await first).toBeLessThan(2000);
      expect(await second).toBeLessThan(2000);
    } finally {
      redisProc.kill('SIGCONT');
    }
  });

  it('Redis killed: every route answers 503 within 2 s; restarted, every accepted event counts once', async () => {
    const before = [thumb('k1', 'km1', 'up', NOW - 1000)];
    expect((await ingest(before)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 1200)); // appendfsync everysec: the 202's entry is on disk
    await new Promise((r) => {
      redisProc.once('exit', r);
      redisProc.kill('SIGKILL');
    });
    const during = [thumb('k2', 'km2', 'up', NOW - 1000)];
    await expectFast503s(during);
    redisProc = startRedis();
    expect(
      await eventually(
        async () => (await ingest(during)).status,
        (s) => s === 202,
        15_000,
      ),
    ).toBe(202);
    await countedExactly(4);
  });

  it('ingest answers 503 while Redis is near its memory limit or the stream holds too many bytes, before Redis refuses a write', async () => {
    const guard = new BacklogGuard(edge, keys, { maxBacklogBytes: 0, memoryShare: 0.8 }, 50);
    const guarded = { ...deps, backlog: guard };
    const send = () =>
      createIngestApp(guarded).request('/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [thumb(`m-${randomUUID()}`, `mm-${randomUUID()}`, 'up', NOW - 1000)] }),
      });
    const used = Number(/^used_memory:(\d+)/m.exec(await edge.info('memory'))?.[1]);
    // 80 % of this limit is below what Redis already uses: ingest must stop, Redis must not.
    await edge.config('SET', 'maxmemory', String(Math.ceil(used * 1.2)));
    try {
      await guard.poll();
      const refused = await send();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/memory/);
      // Redis itself still takes writes: the workers have room to drain.
      expect(await edge.set(`${keys.prefix}:probe`, 'x')).toBe('OK');
    } finally {
      await edge.config('SET', 'maxmemory', '0');
    }
    await guard.poll();
    expect((await send()).status).toBe(202);

    const bytes = new BacklogGuard(edge, keys, { maxBacklogBytes: 1, memoryShare: 0.8 }, 50);
    await bytes.poll();
    expect(bytes.last.streamBytes).toBeGreaterThan(0);
    const tooBig = await createIngestApp({ ...deps, backlog: bytes }).request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
      body: JSON.stringify(thumb('b', 'bm', 'up', NOW - 1000)),
    });
    expect(tooBig.status).toBe(503);
    expect(((await tooBig.json()) as { error: { message: string } }).error.message).toMatch(/backlog/);
  });

  it('a ClickHouse server that accepts connections but never answers: queries give 503 within 2 s', async () => {
    let hang = false;
    const held: import('node:http').ServerResponse[] = [];
    const server: Server = createServer((req, res) => {
      req.resume();
      if (hang) held.push(res);
      else res.end('');
    });
    const chPort = await freePort();
    await new Promise<void>((ok) => server.listen(chPort, '127.0.0.1', ok));
    const ch = await openClickHouse({
      kind: 'server',
      url: `http://127.0.0.1:${chPort}`,
      username: 'default',
      password: '',
      database: 'thumbline',
      timeouts: { queryMs: 1500, writeMs: 3000 },
    });
    try {
      hang = true;
      const started = Date.now();
      const res = await createApiApp({ ...deps, ch }).request(overviewPath, {
        headers: { authorization: `Bearer ${dt}` },
      });
      const ms = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBeTruthy();
      expect(ms).toBeLessThan(2000);
      expect(await ch.ping()).toBe(false);
      // Inserts end too (the worker retries them later).
      await expect(ch.insert('events', [{ a: 1 }])).rejects.toMatchObject({ code: 'overloaded' });
    } finally {
      for (const r of held) r.destroy();
      await ch.close();
      server.closeAllConnections();
      server.close();
    }
  });

  it('npm start shuts down within 10 s while its Redis does not answer', async () => {
    const data = mkdtempSync(join(tmpdir(), 'thumbline-shutdown-'));
    const app = spawnEntry('apps/server/src/main.ts', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      THUMBLINE_REDIS_PREFIX: `s${randomUUID().slice(0, 6)}`,
      THUMBLINE_DATA_DIR: data,
      PORT: '0',
    });
    try {
      await app.waitFor('http://', 60_000);
      redisProc.kill('SIGSTOP');
      const started = Date.now();
      app.proc.kill('SIGTERM');
      const code = await app.exited();
      const ms = Date.now() - started;
      expect(ms, app.output()).toBeLessThan(10_000);
      expect(code).not.toBeNull();
    } finally {
      redisProc.kill('SIGCONT');
      await app.stop('SIGKILL');
      rmSync(data, { recursive: true, force: true });
    }
  });
});
