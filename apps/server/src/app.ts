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
 * Everything in one process (README, Quick start): ingest, API, worker and dashboard on one
 * port, with local Redis/ClickHouse unless URLs are given.
 */
export async function startServer(env: Env, log: Logger): Promise<RunningServer> {
  const services = await openServices(env, log, { allowLocal: true });
  const { ch, store, settings, redis, keys, metrics } = services;
  const app = createRouter();
  app.onError(handleError(log));
  app.notFound(notFound);
  mountIngest(app, { ...services, trustedProxies: services.env.THUMBLINE_TRUSTED_PROXIES });
  mountApi(app, { ...services, webhooks: { allowPrivate: env.THUMBLINE_WEBHOOK_ALLOW_PRIVATE } });
  // Ready means usable, not merely listening: orchestrators and scripts poll /readyz and
  // then read credentials.json or send events, so the port opens first (the base URL needs
  // it) but /readyz stays 503 until every role runs and the demo workspace is complete.
  let rolesUp = false;
  let demoWorkspace: string | null = null;
  mountOps(app, {
    checks: {
      ...services.readiness,
      roles: async () => rolesUp,
      demo_workspace: async () => demoWorkspace !== null && (await store.workspace(demoWorkspace)) !== null,
    },
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
    alerts: { allowPrivate: env.THUMBLINE_WEBHOOK_ALLOW_PRIVATE },
    pump: {
      consumer: services.consumer,
      maxEvents: env.THUMBLINE_BATCH_MAX_EVENTS,
      lingerMs: env.THUMBLINE_BATCH_LINGER_MS,
    },
  });
  worker.start();

  const { server, port } = await listen(app, env.PORT, env.HOST);
  log.info({ port, host: env.HOST }, 'listening; ready once the demo workspace exists');
  let gateway: { close(): Promise<void> } | null = null;
  const stop = async () => {
    await gateway?.close(); // disconnects dashboards, which would hold the server open
    await closeServer(server);
    await worker.close();
    await services.close();
  };
  const baseUrl = env.THUMBLINE_PUBLIC_URL ?? `http://${env.HOST}:${port}`;
  let demo: { credentials: DemoCredentials; created: boolean };
  try {
    gateway = attachGateway(server as HttpServer, services);
    rolesUp = true;
    // Written atomically before the flag flips: ready implies the whole file is there.
    demo = await ensureDemoWorkspace(store, env.THUMBLINE_DATA_DIR, baseUrl);
    demoWorkspace = demo.credentials.workspace_id;
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const { credentials, created } = demo;

  return {
    port,
    baseUrl,
    credentials,
    created,
    services,
    worker,
    server,
    stop,
  };
}
