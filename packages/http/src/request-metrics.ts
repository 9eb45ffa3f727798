// Every HTTP request's duration and status, by area, for the alert rules on 503s and on query
// latency (ops/prometheus/thumbline.rules.yml). The area is a fixed set, never the raw path, so
// the metric's series stay bounded whatever paths callers send.
import type { MiddlewareHandler } from 'hono';
import type { Metrics } from '@thumbline/core';

/** The area a path belongs to. */
export function areaOf(path: string): string {
  if (path === '/v1/events') return 'ingest';
  if (path === '/v1/sql') return 'sql';
  if (path.startsWith('/v1/')) return 'api';
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return 'ops';
  return 'other';
}

/** Observes each request (after the error handler has answered it) in `thumbline_http_request_duration_seconds`. */
export function requestMetrics(metrics: Pick<Metrics, 'httpSeconds'>): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.httpSeconds.observe(
        { area: areaOf(c.req.path), status: String(c.res.status) },
        (performance.now() - started) / 1000,
      );
    }
  };
}
