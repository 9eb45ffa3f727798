// POST /v1/events against a real Redis: every error code ingest produces, and that
// accepted events are in the stream when 202 is answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestApp } from '@thumbline/ingest';
import { createRedis, newToken } from '@thumbline/redis';
import { entriesInStreams } from './support/pipeline.ts';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, message, thumb } from './support/events.ts';

let env: TestEnv;
let app: ReturnType<typeof createIngestApp>;
const pk = newToken('public');
const sk = newToken('secret');
const dt = newToken('dashboard');
const NOW = Date.now();

beforeAll(async () => {
  env = await openTestEnv('ingest');
  await env.store.saveWorkspace({
    id: 'w1',
    tz: 'UTC',
    allowed_origins: ['http://localhost:*', 'https://shop.example'],
  });
  await env.store.addToken(pk, { workspace_id: 'w1', kind: 'public' });
  await env.store.addToken(sk, { workspace_id: 'w1', kind: 'secret' });
  await env.store.addToken(dt, { workspace_id: 'w1', kind: 'dashboard' });
  app = createIngestApp({ ...env, maxEventAgeDays: 30 });
});
afterAll(() => env.cleanup());

function post(
  body: unknown,
  opts: { key?: string; headers?: Record<string, string>; query?: string; raw?: string } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  return app.request(`/v1/events${opts.query ?? ''}`, {
    method: 'POST',
    headers,
    body: opts.raw ?? JSON.stringify(body),
  });
}

async function errorCode(res: Response) {
  const body = (await res.json()) as { error?: { code: string; message: string } };
  expect(body.error?.message).toBeTruthy();
  return body.error?.code;
}

const streamLength = () => entriesInStreams(env.redis, env.keys);

describe('POST /v1/events', () => {
  it('accepts one event and has it in the stream when it answers 202', async () => {
    const before = await streamLength();
    const res = await post(thumb('c1', 'm1', 'up', NOW), { key: pk });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1, rejected: [] });
    expect(await streamLength()).toBe(before + 1);
    const last = (
      await env.redis.xrevrange(env.keys.partition(env.keys.partitionOf('c1')).stream, '+', '-', 'COUNT', 1)
    )[0];
    expect(last?.[1]).toContain('w1');
  });

  it('accepts a batch with per-event rejections naming index, code and field', async () => {
    const events = [
      thumb('c1', 'm1', 'down', NOW),
      { ...thumb('c1', 'm2', 'up', NOW), thumb: 'maybe' },
      csat('c1', { score: 4 }, NOW + 10 * 60_000),
      csat('c1', { score: 4 }, NOW - 31 * 86_400_000),
      message('c1', 'm3', 'assistant', 'hi', NOW),
    ];
    const res = await post({ events }, { key: pk });
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      accepted: number;
      rejected: { index: number; code: string; message: string }[];
    };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => [r.index, r.code])).toEqual([
      [1, 'invalid_event'],
      [2, 'ts_in_future'],
      [3, 'ts_too_old'],
      [4, 'forbidden_event_type'],
    ]);
    expect(body.rejected[0]?.message).toMatch(/^thumb/);
  });

  it('lets the secret key send message.created', async () => {
    const res = await post(message('c1', 'm3', 'assistant', 'hi', NOW), { key: sk });
    expect(res.status).toBe(202);
  });

  it('answers 400 no_valid_events with the rejections when nothing is accepted', async () => {
    const res = await post({ events: [{ type: 'nope' }] }, { key: pk });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string }; accepted: number; rejected: unknown[] };
    expect(body.error.code).toBe('no_valid_events');
    expect(body.accepted).toBe(0);
    expect(body.rejected).toHaveLength(1);
  });

  it('answers 400 invalid_json and invalid_body', async () => {
    expect(await errorCode(await post(null, { key: pk, raw: '{"events": [' }))).toBe('invalid_json');
    expect(await errorCode(await post([thumb('c', 'm', 'up', NOW)], { key: pk }))).toBe('invalid_body');
    expect(await errorCode(await post({ events: [] }, { key: pk }))).toBe('invalid_body');
    expect(await errorCode(await post({ events: 'x' }, { key: pk }))).toBe('invalid_body');
    const tooMany = Array.from({ length: 501 }, () => thumb('c', 'm', 'up', NOW));
    const res = await post({ events: tooMany }, { key: pk });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('invalid_body');
  });

  it('answers 401 unauthorized without a key, with a wrong key, or with a dashboard token', async () => {
    for (const key of [undefined, 'pk_wrong', dt]) {
      const res = await post(thumb('c', 'm', 'up', NOW), key ? { key } : {});
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe('unauthorized');
    }
  });

  it('refuses a secret key in the URL', async () => {
    const res = await post(thumb('c', 'm', 'up', NOW), { query: `?key=${sk}` });
    expect(res.status).toBe(401);
  });

  it('accepts sendBeacon: ?key=<public key> with a text/plain body', async () => {
    const res = await post(thumb('c', 'm', 'up', NOW), {
      query: `?key=${pk}`,
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: 'http://localhost:3000' },
    });
    expect(res.status).toBe(202);
  });

  it('answers 403 origin_not_allowed for a public key from another origin', async () => {
    const res = await post(thumb('c', 'm', 'up', NOW), { key: pk, headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('origin_not_allowed');
    const ok = await post(thumb('c', 'm', 'up', NOW), { key: pk, headers: { origin: 'https://shop.example' } });
    expect(ok.status).toBe(202);
  });

  it('answers 413 payload_too_large over 512 KiB', async () => {
    const big = JSON.stringify({ events: [{ ...thumb('c', 'm', 'up', NOW), pad: 'x'.repeat(512 * 1024) }] });
    const res = await post(null, { key: pk, raw: big });
    expect(res.status).toBe(413);
    expect(await errorCode(res)).toBe('payload_too_large');
  });

  it('answers 415 unsupported_media_type', async () => {
    const res = await post(thumb('c', 'm', 'up', NOW), { key: pk, headers: { 'content-type': 'application/xml' } });
    expect(res.status).toBe(415);
    expect(await errorCode(res)).toBe('unsupported_media_type');
  });

  it('answers CORS preflight', async () => {
    const res = await app.request('/v1/events', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it("answers 429 rate_limited with Retry-After past the key's events per second, and queues nothing", async () => {
    const limited = createIngestApp({
      ...env,
      limits: { eventsPerSecond: 3, maxBacklog: 0, maxBacklogAgeMs: 0, eventsPerSecondPerClient: 0 },
    });
    // Start at a fresh second so the whole exchange falls in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const send = (n: number) =>
      limited.request('/v1/events', {
        method: 'POST',
        headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events: Array.from({ length: n }, () => thumb('c', 'm', 'up', NOW)) }),
      });
    expect((await send(2)).status).toBe(202);
    const before = await streamLength();
    const res = await send(2);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await errorCode(res)).toBe('rate_limited');
    expect(await streamLength()).toBe(before);
  });

  it('answers 503 overloaded with Retry-After when the backlog is at its cap, and queues nothing', async () => {
    const length = await streamLength();
    const full = createIngestApp({
      ...env,
      limits: { eventsPerSecond: 0, maxBacklog: length, maxBacklogAgeMs: 0, eventsPerSecondPerClient: 0 },
    });
    const res = await full.request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' },
      body: JSON.stringify(thumb('c', 'm', 'up', NOW)),
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await errorCode(res)).toBe('overloaded');
    expect(await streamLength()).toBe(length);
    const old = createIngestApp({
      ...env,
      limits: { eventsPerSecond: 0, maxBacklog: 0, maxBacklogAgeMs: 1, eventsPerSecondPerClient: 0 },
    });
    await new Promise((r) => setTimeout(r, 5));
    const aged = await old.request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' },
      body: JSON.stringify(thumb('c', 'm', 'up', NOW)),
    });
    expect(aged.status).toBe(503);
  });

  it('answers 503 overloaded with Retry-After when Redis is unreachable, and queues nothing', async () => {
    const down = createRedis('redis://127.0.0.1:1', 'edge', { retryStrategy: () => null });
    down.on('error', () => {});
    const offline = createIngestApp({ ...env, redis: down, maxEventAgeDays: 30 });
    const res = await offline.request('/v1/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${pk}`, 'content-type': 'application/json' },
      body: JSON.stringify(thumb('c', 'm', 'up', NOW)),
    });
    down.disconnect();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await errorCode(res)).toBe('overloaded');
  });
});
