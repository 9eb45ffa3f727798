// Roles as their own processes (docker compose): ingest alone on a shared Redis; roles
// that need ClickHouse refuse to start without a server, saying why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newToken } from '@thumbline/redis';
import { entriesInStreams } from './support/pipeline.ts';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { freePort, spawnEntry } from './support/spawn.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv('roles');
});
afterAll(() => env.cleanup());

describe('role processes', () => {
  it('ingest runs alone against REDIS_URL and queues accepted events', async () => {
    const sk = newToken('secret');
    await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
    await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
    const port = await freePort();
    const role = spawnEntry('apps/ingest/src/main.ts', {
      REDIS_URL: env.redisUrl,
      THUMBLINE_REDIS_PREFIX: env.keys.prefix,
      PORT: String(port),
    });
    try {
      await role.waitFor('ingest role ready');
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
      const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
        body: JSON.stringify(thumb('c', 'm', 'up', Date.now())),
      });
      expect(res.status).toBe(202);
      expect(await entriesInStreams(env.redis, env.keys)).toBe(1);
      expect(await role.stop()).toBe(0);
    } finally {
      await role.stop('SIGKILL');
    }
  });

  it('ingest without REDIS_URL exits with a message saying what to set', async () => {
    const role = spawnEntry('apps/ingest/src/main.ts', { REDIS_URL: '', PORT: '0' });
    expect(await role.exited()).toBe(1);
    expect(role.output()).toContain('REDIS_URL is required');
  });

  it('npm start without redis-server on PATH says how to install it or set REDIS_URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'thumbline-nopath-'));
    const server = spawnEntry('apps/server/src/main.ts', { PATH: dir, THUMBLINE_DATA_DIR: dir, PORT: '0' });
    expect(await server.exited()).toBe(1);
    expect(server.output()).toContain('apt-get install -y redis-server');
    expect(server.output()).toContain('brew install redis');
    expect(server.output()).toContain('REDIS_URL=');
    rmSync(dir, { recursive: true, force: true });
  });

  it('worker without CLICKHOUSE_URL exits with a message saying what to set', async () => {
    const role = spawnEntry('apps/worker/src/main.ts', { REDIS_URL: env.redisUrl, CLICKHOUSE_URL: '', PORT: '0' });
    expect(await role.exited()).toBe(1);
    expect(role.output()).toContain('CLICKHOUSE_URL is required');
  });
});
