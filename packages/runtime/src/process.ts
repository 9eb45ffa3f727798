import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '@thumbline/core';

/** Serves a Hono app; resolves once listening, with the bound port. */
export function listen(app: Hono<any>, port: number, host: string): Promise<{ server: ServerType; port: number }> {
  return new Promise((ok) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => ok({ server, port: info.port }));
  });
}

export function closeServer(server: ServerType): Promise<void> {
  return new Promise((ok) => {
    if (!server.listening) return ok();
    server.close(() => ok());
    // Idle keep-alive sockets would hold close() open.
    (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  });
}

/**
 * The longest a graceful shutdown may take. Orchestrators kill after 10 s (docker's
 * default); past this the process exits anyway: whatever was in flight is redelivered
 * (an unfinished batch's job lock lapses, a request without an answer is retried).
 */
export const SHUTDOWN_DEADLINE_MS = 8_000;

/**
 * Runs `shutdown` once on SIGINT/SIGTERM, then exits; a second signal exits at once, and
 * so does a shutdown still running after SHUTDOWN_DEADLINE_MS (a dependency that does
 * not answer must not keep the process alive).
 */
export function onShutdown(log: Logger, shutdown: () => Promise<void>, deadlineMs = SHUTDOWN_DEADLINE_MS): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ deadlineMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, deadlineMs).unref();
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
