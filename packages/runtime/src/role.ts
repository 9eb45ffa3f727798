import type { Server as HttpServer } from 'node:http';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createLogger } from '@thumbline/core';
import { createRouter, handleError, mountOps, notFound, requestMetrics } from '@thumbline/http';
import type { Env } from './config.ts';
import { closeServer, listen, onShutdown } from './process.ts';
import { openRedisServices, openServices, type RedisServices, type Services } from './services.ts';

export interface RoleSpec<S extends RedisServices> {
  name: string;
  env: Env;
  /** Does the role need ClickHouse? */
  clickhouse: S extends Services ? true : false;
  /**
   * Mounts the role's routes on `app` and starts its work; returns how to stop it and,
   * for roles that speak more than HTTP routes (the gateway), what to attach to the server.
   */
  setup(
    services: S,
    app: OpenAPIHono<any>,
  ): Promise<{ stop?: () => Promise<void>; attach?: (server: HttpServer) => { close(): Promise<void> } }>;
}

/**
 * Runs one role as its own process (docker compose, scaling out): shared Redis and
 * ClickHouse server from the env, the role's routes plus /healthz, /readyz and
 * /metrics on PORT, graceful shutdown on SIGTERM/SIGINT.
 */
export async function runRole<S extends RedisServices>(spec: RoleSpec<S>): Promise<void> {
  const log = createLogger({ level: spec.env.LOG_LEVEL, name: `thumbline-${spec.name}` });
  try {
    const services = (
      spec.clickhouse
        ? await openServices(spec.env, log, { allowLocal: false })
        : await openRedisServices(spec.env, log, { allowLocal: false })
    ) as S;
    const app = createRouter();
    app.onError(handleError(log));
    app.notFound(notFound);
    app.use('*', requestMetrics(services.metrics));
    const role = await spec.setup(services, app);
    mountOps(app, {
      checks: services.readiness,
      registry: services.metrics.registry,
      title: `Thumbline ${spec.name}`,
      metricsToken: spec.env.THUMBLINE_METRICS_TOKEN,
    });
    const { server, port } = await listen(app, spec.env.PORT, spec.env.HOST);
    const attached = role.attach?.(server as HttpServer);
    log.info({ port, host: spec.env.HOST }, `${spec.name} role ready`);
    onShutdown(log, async () => {
      await attached?.close();
      await closeServer(server);
      await role.stop?.();
      await services.close();
    });
  } catch (err) {
    log.fatal({ err }, `${spec.name} role failed to start`);
    process.exit(1);
  }
}
