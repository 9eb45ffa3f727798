// `npm start`'s process for real: a fresh data dir, its own redis-server child and
// embedded ClickHouse, events over HTTP, then restarts (clean and kill -9) on the same
// data dir keep the numbers and the credentials.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Overview } from '@thumbline/events';
import { eventually } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';
import { connectLive } from '@thumbline/live-client';

const dataDir = mkdtempSync(join(tmpdir(), 'thumbline-e2e-'));
let port = 0;
let child: Spawned | null = null;

async function start(): Promise<{ stdout: string }> {
  port ||= await freePort();
  child = spawnEntry('apps/server/src/main.ts', { PORT: String(port), THUMBLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  await child.waitFor('Thumbline is ready');
  return { stdout: child.output() };
}

const stop = (signal: NodeJS.Signals) => child?.stop(signal) ?? Promise.resolve(null);

const creds = () => JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as Record<string, string>;
const base = () => `http://127.0.0.1:${port}`;
const DAY = new Date().toISOString().slice(0, 10);

async function overview(): Promise<Overview> {
  const res = await fetch(`${base()}/v1/analytics/overview?from=${DAY}&to=${DAY}`, {
    headers: { authorization: `Bearer ${creds().dashboard_token}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Overview;
}

const redisPid = () => Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  await stop('SIGTERM');
  if (existsSync(join(dataDir, 'redis', 'redis.pid')) && alive(redisPid())) process.kill(redisPid(), 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  let first: Record<string, string>;
  let expected: { up: number; down: number; rated: number };

  it('starts on an empty data dir, is ready, and writes the demo credentials', async () => {
    const { stdout } = await start();
    first = creds();
    expect(first).toMatchObject({ workspace_id: 'demo', widget_id: 'default', base_url: base() });
    for (const [field, prefix] of [
      ['public_key', 'pk_'],
      ['secret_key', 'sk_'],
      ['dashboard_token', 'dt_'],
      ['admin_token', 'at_'],
    ]) {
      expect(first[field as string]?.startsWith(prefix as string)).toBe(true);
    }
    expect(stdout).toContain(`${base()}/#token=${first.dashboard_token}`);
    const ready = await fetch(`${base()}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { redis: 'ok', clickhouse: 'ok', migrations: 'ok' } });
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
    expect((await fetch(`${base()}/`)).status).toBe(200);
  });

  it('exposes the pipeline metrics on /metrics', async () => {
    const text = await (await fetch(`${base()}/metrics`)).text();
    for (const name of [
      'thumbline_ingest_accepted_total',
      'thumbline_ingest_rejected_total',
      'thumbline_stream_length',
      'thumbline_stream_lag_seconds',
      'thumbline_batch_events',
      'thumbline_batch_insert_seconds',
      'thumbline_batch_failures_total',
      'thumbline_dead_letters_total',
      'thumbline_accepted_to_committed_seconds',
      'thumbline_live_sockets',
    ]) {
      expect(text, name).toContain(`# TYPE ${name}`);
    }
  });

  it('serves the OpenAPI document generated from the zod schemas, and human-readable docs', async () => {
    const doc = (await (await fetch(`${base()}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { oneOf?: unknown[] }> };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/events', '/v1/analytics/overview', '/v1/sql']));
    expect(doc.components.schemas.Event?.oneOf).toHaveLength(6); // the contract's six event types
    expect(await (await fetch(`${base()}/docs`)).text()).toContain('swagger-ui-bundle.js');
    expect(await (await fetch(`${base()}/docs/assets/init.js`)).text()).toContain('/openapi.json');
    expect((await fetch(`${base()}/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it('counts events posted over HTTP in the overview', async () => {
    const now = Date.now();
    const res = await fetch(`${base()}/v1/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${first.public_key}`,
        'content-type': 'application/json',
        origin: 'http://localhost:3000',
      },
      body: JSON.stringify({
        events: [
          thumb('c1', 'm1', 'up', now),
          thumb('c1', 'm2', 'down', now),
          thumb('c2', 'm3', 'up', now),
          csat('c1', { score: 4 }, now),
        ],
      }),
    });
    expect(res.status).toBe(202);
    const o = await eventually(overview, (o) => o.thumbs.up === 2 && o.csat.rated === 1);
    expected = { up: o.thumbs.up, down: o.thumbs.down, rated: o.csat.rated };
    expect(expected).toEqual({ up: 2, down: 1, rated: 1 });
  });

  it('serves live deltas on the same port, within a second of the 202', async () => {
    const deltas: { conversations: string[]; at: number }[] = [];
    const conn = connectLive({
      url: base(),
      token: first.dashboard_token as string,
      lastSeq: () => undefined,
      onDelta: (d) => deltas.push({ conversations: d.conversations.map((c) => c.conversation_id), at: Date.now() }),
      onResync: () => {},
      socketOptions: { transports: ['websocket'], reconnection: false },
    });
    try {
      await eventually(async () => conn.socket.connected, Boolean, 10_000);
      const sent = Date.now();
      const res = await fetch(`${base()}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.secret_key}`, 'content-type': 'application/json' },
        body: JSON.stringify(thumb('c-live', 'm-live', 'up', sent)),
      });
      expect(res.status).toBe(202);
      expected.up += 1;
      const mine = () => deltas.find((d) => d.conversations.includes('c-live'));
      await eventually(async () => mine(), Boolean, 10_000);
      expect((mine()?.at ?? Infinity) - sent).toBeLessThan(1000);
    } finally {
      conn.close();
    }
  });

  it('stops cleanly on SIGTERM, stopping its redis-server too', async () => {
    const pid = redisPid();
    expect(await stop('SIGTERM')).toBe(0);
    expect(alive(pid)).toBe(false);
  });

  it('restarts on the same data dir with the same numbers and credentials', async () => {
    const { stdout } = await start();
    expect(creds()).toEqual(first);
    expect(stdout).toContain(first.dashboard_token);
    const o = await overview();
    expect({ up: o.thumbs.up, down: o.thumbs.down, rated: o.csat.rated }).toEqual(expected);
  });

  it('survives kill -9: the next start reuses the left-over redis-server and loses nothing', async () => {
    const now = Date.now();
    const res = await fetch(`${base()}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.secret_key}`, 'content-type': 'application/json' },
      body: JSON.stringify(thumb('c3', 'm9', 'down', now)),
    });
    expect(res.status).toBe(202);
    const pid = redisPid();
    await stop('SIGKILL');
    expect(alive(pid)).toBe(true); // the crash left the child running
    await start();
    expect(redisPid()).toBe(pid);
    // If the kill hit mid-batch, the job is redelivered once its lock lapses (≤ 15 s).
    const o = await eventually(overview, (o) => o.thumbs.down === expected.down + 1, 45_000).catch((err: Error) => {
      throw new Error(`${err.message}\nserver output:\n${child?.output()}`);
    });
    expect({ up: o.thumbs.up, down: o.thumbs.down }).toEqual({ up: expected.up, down: expected.down + 1 });
  });
});
