// Limits and surfaces of the HTTP edge, over a real HTTP server wired like `npm start`:
// 64 KiB bodies outside ingest, JSON depth, names from the URL that are not keys of any
// object, security headers on pages, and /metrics behind its optional token.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountApi, mountDashboard } from '@thumbline/api';
import { createRouter, handleError, MAX_JSON_DEPTH, mountOps, notFound } from '@thumbline/http';
import { mountIngest } from '@thumbline/ingest';
import { newToken } from '@thumbline/redis';
import { closeServer, listen, loadEnv } from '@thumbline/runtime';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { started } from './support/events.ts';

let env: TestEnv;
let server: Awaited<ReturnType<typeof listen>>['server'];
let base = '';
const dt = newToken('dashboard');
const at = newToken('admin');
const sk = newToken('secret');
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

beforeAll(async () => {
  env = await openTestEnv('limits');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  for (const [token, kind] of [
    [dt, 'dashboard'],
    [at, 'admin'],
    [sk, 'secret'],
  ] as const) {
    await env.store.addToken(token, { workspace_id: 'w', kind });
  }
  const app = createRouter();
  app.onError(handleError(env.log));
  app.notFound(notFound);
  mountIngest(app, env);
  mountApi(app, env);
  mountOps(app, { checks: {}, registry: env.metrics.registry, title: 'test', metricsToken: METRICS_TOKEN });
  mountDashboard(app);
  const listening = await listen(app, 0, '127.0.0.1');
  server = listening.server;
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closeServer(server);
  await env.cleanup();
});

const KiB = 1024;

function put(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${dt}`, 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
}

/**
 * PUT on a connection of its own: the server answers 413 without reading a body this large
 * and closes the connection, which a pooled fetch connection would trip over later.
 */
function putOnce(path: string, body: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: 'PUT',
      agent: false,
      headers: { authorization: `Bearer ${dt}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
    });
    // The server may close before the whole body is written; the answer is what counts.
    req.on('error', (err) => (req.writableFinished ? reject(err) : undefined));
    req.end(body);
  });
}

async function error(res: Response): Promise<{ status: number; code: string }> {
  const body = (await res.json()) as { error: { code: string } };
  return { status: res.status, code: body.error.code };
}

/** A settings body padded with an ignored field to `bytes`. */
const padded = (bytes: number) => {
  const head = '{"csat_enabled":false,"pad":"';
  return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
};

describe('request bodies outside ingest', () => {
  it('answers 413 payload_too_large past 64 KiB, declared or streamed, and accepts 64 KiB', async () => {
    expect((await put('/v1/settings/widgets/a', padded(64 * KiB))).status).toBe(200);
    expect(await error(await put('/v1/settings/widgets/a', padded(64 * KiB + 1)))).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
    expect(await error(await putOnce('/v1/settings/widgets/a', padded(8 * 1024 * KiB)))).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
    // Chunked, no Content-Length: counted as it streams.
    const chunk = new TextEncoder().encode(padded(16 * KiB));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    expect(await error(await put('/v1/settings/widgets/a', stream))).toEqual({
      status: 413,
      code: 'payload_too_large',
    });
    const sql = await fetch(`${base}/v1/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${at}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: `SELECT 1 -- ${'x'.repeat(70 * KiB)}` }),
    });
    expect(await error(sql)).toEqual({ status: 413, code: 'payload_too_large' });
  });

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH} levels (400 invalid_body); brackets in strings do not count`, async () => {
    const deep = (n: number) => `{"csat_enabled":true,"x":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect((await put('/v1/settings/widgets/a', deep(MAX_JSON_DEPTH))).status).toBe(200);
    expect(await error(await put('/v1/settings/widgets/a', deep(MAX_JSON_DEPTH + 1)))).toEqual({
      status: 400,
      code: 'invalid_body',
    });
    expect(await error(await put('/v1/settings/widgets/a', deep(20_000)))).toEqual({
      status: 400,
      code: 'invalid_body',
    });
    const inString = JSON.stringify({ csat_enabled: true, x: '[{'.repeat(1000) });
    expect((await put('/v1/settings/widgets/a', inString)).status).toBe(200);
  });

  it('leaves ingest to its own limit: a 200 KiB batch is accepted', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({
      ...started(`limits-${i}`, Date.now()),
      channel: 'web',
      padding: 'x'.repeat(4 * KiB),
    }));
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    expect(res.status).toBe(202);
  });
});

describe('names taken from the URL', () => {
  it('are never keys of a plain object: __proto__ and friends are 404, never 500', async () => {
    for (const name of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']) {
      const res = await fetch(`${base}/docs/assets/${name}`);
      expect(await error(res)).toEqual({ status: 404, code: 'not_found' });
      for (const path of [
        `/v1/settings/widgets/${name}`,
        `/v1/settings/languages/${name}/auto-end`,
        `/v1/conversations/${name}`,
        `/assets/${name}`,
      ]) {
        const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${dt}` } });
        expect(r.status, path).toBeLessThan(500);
      }
    }
  });
});

describe('pages', () => {
  it('carry CSP, frame and content-type protection, and send no referrer', async () => {
    for (const path of ['/', '/demo', '/docs', '/docs/assets/swagger-ui.css', '/docs/assets/init.js']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toMatch(/script-src[^;]*unsafe/);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });
});

describe('/metrics', () => {
  it('wants the metrics token when one is configured', async () => {
    expect(await error(await fetch(`${base}/metrics`))).toEqual({ status: 401, code: 'unauthorized' });
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${dt}` } });
    expect(await error(wrong)).toEqual({ status: 401, code: 'unauthorized' });
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('thumbline_ingest_accepted_total');
  });

  it('is open without one, and a token too short to be safe is refused at start', async () => {
    const app = createRouter();
    mountOps(app, { checks: {}, registry: env.metrics.registry, title: 'open' });
    expect((await app.request('/metrics')).status).toBe(200);
    expect(() => loadEnv({ THUMBLINE_METRICS_TOKEN: 'short' })).toThrow(/THUMBLINE_METRICS_TOKEN/);
    expect(loadEnv({ THUMBLINE_METRICS_TOKEN: METRICS_TOKEN }).THUMBLINE_METRICS_TOKEN).toBe(METRICS_TOKEN);
  });
});
