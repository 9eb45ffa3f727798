// The HTTP thread of `npm start` (started by http-thread-host.ts): ingest, API, live gateway,
// ops and dashboard run here, on a core of their own, while the main thread resolves and
// inserts batches. Embedded ClickHouse stays in the main thread (chDB hangs when a second
// thread uses it); this thread's queries go there over a port (clickhouse-port.ts).
import type { Server as HttpServer } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { AggregatorRegistry } from 'prom-client';
import { clickHouseOverPort, migrationsApplied } from '@thumbline/clickhouse';
import { createLogger } from '@thumbline/core';
import { attachGateway } from '@thumbline/gateway';
import { closeServer, listen, openRedisServices, type Services } from '@thumbline/runtime';
import { createHttpApp } from './http-app.ts';
import type { FromHttpThread, HttpThreadData, ToHttpThread } from './http-thread.protocol.ts';

if (!parentPort) throw new Error('http-thread.ts runs as a worker thread of npm start');
const port = parentPort;
const { env, clickhouse } = workerData as HttpThreadData;
const log = createLogger({ level: env.LOG_LEVEL, name: 'thumbline' }).child({ thread: 'http' });
const send = (m: FromHttpThread) => port.postMessage(m);

let rolesUp = false;
let demoWorkspace: string | null = null;
let nextMetrics = 0;
const metricsWaiting = new Map<number, (json: unknown[]) => void>();

/** The main thread's metrics (worker role, process figures), as prom-client JSON. */
function mainMetrics(): Promise<unknown[]> {
  const id = nextMetrics++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      metricsWaiting.delete(id);
      resolve([]); // a busy main thread leaves its figures out of this scrape
    }, 2000);
    metricsWaiting.set(id, (json) => {
      clearTimeout(timer);
      resolve(json);
    });
    send({ type: 'metrics', id });
  });
}

async function run(): Promise<void> {
  const base = await openRedisServices(env, log, { allowLocal: false, processMetrics: false });
  const ch = clickHouseOverPort(clickhouse.port, {
    database: clickhouse.database,
    embedded: clickhouse.embedded,
    timeouts: { queryMs: env.THUMBLINE_QUERY_TIMEOUT_MS },
  });
  const services: Services = {
    ...base,
    ch,
    readiness: { ...base.readiness, clickhouse: () => ch.ping(), migrations: () => migrationsApplied(ch) },
    async close() {
      await ch.close();
      await base.close();
    },
  };
  const registry = base.metrics.registry;
  const app = createHttpApp(services, {
    rolesUp: () => rolesUp,
    demoWorkspace: () => demoWorkspace,
    metrics: {
      contentType: registry.contentType,
      metrics: async () =>
        AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), await mainMetrics()]).metrics(),
    },
  });
  const { server, port: listening } = await listen(app, env.PORT, env.HOST);
  const gateway = attachGateway(server as HttpServer, services);

  port.on('message', (m: ToHttpThread) => {
    if (m.type === 'ready') {
      rolesUp = true;
      demoWorkspace = m.demoWorkspace;
    } else if (m.type === 'metrics') {
      metricsWaiting.get(m.id)?.(m.json);
      metricsWaiting.delete(m.id);
    } else if (m.type === 'stop') {
      void (async () => {
        await gateway.close().catch((err: unknown) => log.warn({ err }, 'gateway close failed'));
        await closeServer(server);
        await services.close().catch((err: unknown) => log.warn({ err }, 'close failed'));
        send({ type: 'stopped' });
        port.close();
      })();
    }
  });
  send({ type: 'listening', port: listening });
}

run().catch((err: unknown) => {
  log.error({ err }, 'HTTP thread failed to start');
  send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  port.close();
});
