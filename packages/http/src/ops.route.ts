import { createHash, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Registry } from 'prom-client';
import { AppError } from '@thumbline/core';
import { bearerToken } from './auth.ts';
import { pageHeaders } from './secure-headers.ts';

/** A named readiness probe; true when the dependency is usable. */
export type ReadinessCheck = () => Promise<boolean>;

export interface OpsOptions {
  checks: Record<string, ReadinessCheck>;
  /** What /metrics serves (a registry, or several merged). */
  registry: Pick<Registry, 'contentType' | 'metrics'>;
  title: string;
  /** When set, /metrics answers only `Authorization: Bearer <metricsToken>`. */
  metricsToken?: string | undefined;
}

const require = createRequire(import.meta.url);
const SWAGGER_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Thumbline API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs' });`;

// A Map: the file name comes from the URL, and an object would answer `__proto__`.
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** 401 unless the request carries the token (compared in constant time). */
function requireMetricsToken(token: string): MiddlewareHandler {
  const expected = sha256(token);
  return async (c, next) => {
    const given = bearerToken(c);
    if (given === null || !timingSafeEqual(sha256(given), expected)) {
      throw new AppError('unauthorized', 401, 'a valid metrics token is required');
    }
    await next();
  };
}

async function withTimeout(check: ReadinessCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Mounts /healthz, /readyz, /metrics, /openapi.json and /docs on `app`. Call it after
 * every API route is registered so the OpenAPI document lists them all.
 */
export function mountOps(app: OpenAPIHono<any>, options: OpsOptions): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const names = Object.keys(options.checks);
    const results = await Promise.all(names.map((n) => withTimeout(options.checks[n] as ReadinessCheck, 2000)));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i] ? 'ok' : 'down']));
    const ready = results.every(Boolean);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  if (options.metricsToken) app.use('/metrics', requireMetricsToken(options.metricsToken));
  app.get('/metrics', async (c) => {
    c.header('content-type', options.registry.contentType);
    return c.body(await options.registry.metrics());
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: options.title, version: '1', description: 'Shopper-feedback analytics (API v1.1)' },
  });
  app.use('/docs', pageHeaders);
  app.use('/docs/*', pageHeaders);
  app.get('/docs', (c) => c.html(DOCS_HTML));
  app.get('/docs/assets/init.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(DOCS_INIT);
  });
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    const type = ASSETS.get(file);
    if (!type) return c.notFound();
    c.header('content-type', type);
    c.header('cache-control', 'public, max-age=86400');
    return c.body(readFileSync(join(SWAGGER_DIR, file)));
  });
}
