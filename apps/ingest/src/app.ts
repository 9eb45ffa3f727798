import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '@thumbline/core';
import { handleError, notFound } from '@thumbline/http';
import { mountIngest, type IngestDeps } from './events.route.ts';

export { mountIngest, MAX_BODY_BYTES, type IngestDeps } from './events.route.ts';

/** The ingest role as a Hono app, without side effects (testable in-process). */
export function createIngestApp(deps: IngestDeps & { log: Logger }): OpenAPIHono {
  const app = new OpenAPIHono();
  app.onError(handleError(deps.log));
  app.notFound(notFound);
  mountIngest(app, deps);
  return app;
}
