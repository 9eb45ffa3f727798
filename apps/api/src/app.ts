import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ClickHouse } from '@thumbline/clickhouse';
import type { Logger } from '@thumbline/core';
import { createRouter, handleError, notFound, requireToken, type AuthVariables } from '@thumbline/http';
import type { CredentialStore, SettingsStore } from '@thumbline/redis';
import { mountOverview } from './overview.route.ts';
import { mountSettings } from './settings.route.ts';

export { ensureDemoWorkspace, DEMO_WORKSPACE, type DemoCredentials } from './bootstrap.ts';
export { buildOverview, previousWindow } from './overview.ts';
export { mountDashboard } from './dashboard.route.ts';

export interface ApiDeps {
  ch: ClickHouse;
  store: CredentialStore;
  settings: SettingsStore;
  log: Logger;
}

/** Mounts the dashboard-token API (CONTRACT §4) on `app`. */
export function mountApi(app: OpenAPIHono<any>, deps: ApiDeps): void {
  app.use('/v1/analytics/*', requireToken(deps.store, ['dashboard']));
  mountOverview(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  app.use('/v1/settings/*', requireToken(deps.store, ['dashboard']));
  mountSettings(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
}

/** The api role as a Hono app, without side effects (testable in-process). */
export function createApiApp(deps: ApiDeps): OpenAPIHono<any> {
  const app = createRouter();
  app.onError(handleError(deps.log));
  app.notFound(notFound);
  mountApi(app, deps);
  return app;
}
