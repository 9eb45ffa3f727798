// The HTTP side of `npm start`: ingest, API, ops and dashboard on one Hono app. Built in
// the HTTP thread (http-thread.ts), whose ClickHouse calls run in the main thread.
import type { Registry } from 'prom-client';
import { mountApi, mountDashboard } from '@thumbline/api';
import { mountIngest } from '@thumbline/ingest';
import { createRouter, handleError, mountOps, notFound, requestMetrics } from '@thumbline/http';
import type { Services } from '@thumbline/runtime';

export interface HttpAppOptions {
  /** Every role of the process runs (the main thread's worker included). */
  rolesUp: () => boolean;
  /** The demo workspace, once it is complete. */
  demoWorkspace: () => string | null;
  /** What /metrics serves: this thread's metrics merged with the main thread's. */
  metrics: Pick<Registry, 'contentType' | 'metrics'>;
}

export function createHttpApp(services: Services, options: HttpAppOptions) {
  const { env, store, log } = services;
  const app = createRouter();
  app.onError(handleError(log));
  app.notFound(notFound);
  app.use('*', requestMetrics(services.metrics));
  mountIngest(app, { ...services, trustedProxies: env.THUMBLINE_TRUSTED_PROXIES });
  mountApi(app, { ...services, webhooks: { allowPrivate: env.THUMBLINE_WEBHOOK_ALLOW_PRIVATE } });
  // Ready means usable, not merely listening: orchestrators and scripts poll /readyz and
  // then read credentials.json or send events, so the port opens first (the base URL needs
  // it) but /readyz stays 503 until every role runs and the demo workspace is complete.
  mountOps(app, {
    checks: {
      ...services.readiness,
      roles: async () => options.rolesUp(),
      demo_workspace: async () => {
        const ws = options.demoWorkspace();
        return ws !== null && (await store.workspace(ws)) !== null;
      },
    },
    registry: options.metrics,
    title: 'Thumbline',
    metricsToken: env.THUMBLINE_METRICS_TOKEN,
  });
  mountDashboard(app);
  return app;
}
