import type { ServerType } from '@hono/node-server';
import type { Logger } from '@thumbline/core';
import { ensureDemoWorkspace, mountApi, mountDashboard, type DemoCredentials } from '@thumbline/api';
import { mountIngest } from '@thumbline/ingest';
import { createWorker, DEFAULT_RETRY, type WorkerRole } from '@thumbline/worker';
import { attachGateway } from '@thumbline/gateway';
import type { Server as HttpServer } from 'node:http';
import { createRouter, handleError, mountOps, notFound } from '@thumbline/http';
import { closeServer, listen, openServices, type Env, type Services } from '@thumbline/runtime';

export interface RunningServer {
  port: number;
  baseUrl: string;
  credentials: DemoCredentials;
  /** True when this start created the demo workspace (empty data dir). */
  created: boolean;
  services: Services;
  worker: WorkerRole;
  server: ServerType;
  stop(): Promise<void>;
}

/**
 * Everything in one process (CONTRACT §1): ingest, API, worker and dashboard on one
 * port, with local Redis/ClickHouse unless URLs are given.
 */
export async function startServer(env: Env, log: Logger): Promise<RunningServer> {
  const services = await openServices(env, log, { allowLocal: true });
  const { ch, store, settings, redis, keys, metrics } = services;
  const app = createRouter();
  app.onError(handleError(log));
  app.notFound(notFound);
  mountIngest(app, { ...services, trustedProxies: services.env.THUMBLINE_TRUSTED_PROXIES });
  mountApi(app, services);
  mountOps(app, {
    checks: services.readiness,
    registry: metrics.registry,
    title: 'Thumbline',
    metricsToken: env.THUMBLINE_METRICS_TOKEN,
  });
  mountDashboard(app);

  const worker = createWorker({
    connect: services.connect,
    redis,
    keys,
    ch,
    log,
    metrics,
    concurrency: env.THUMBLINE_WORKER_CONCURRENCY,
    state: services.state,
    retry: { ...DEFAULT_RETRY, attempts: env.THUMBLINE_BATCH_ATTEMPTS },
    pump: {
      consumer: services.consumer,
      maxEvents: env.THUMBLINE_BATCH_MAX_EVENTS,
      lingerMs: env.THUMBLINE_BATCH_LINGER_MS,
    },
  });
  worker.start();

  const { server, port } = await listen(app, env.PORT, env.HOST);
  const gateway = attachGateway(server as HttpServer, services);
  const baseUrl = env.THUMBLINE_PUBLIC_URL ?? `http://${env.HOST}:${port}`;
  const { credentials, created } = await ensureDemoWorkspace(store, env.THUMBLINE_DATA_DIR, baseUrl);

  return {
    port,
    baseUrl,
    credentials,
    created,
    services,
    worker,
    server,
    async stop() {
      await gateway.close(); // disconnects dashboards, which would hold the server open
      await closeServer(server);
      await worker.close();
      await services.close();
    },
  };
}
