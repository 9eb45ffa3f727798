import type { OpenAPIHono } from '@hono/zod-openapi';
import { except } from 'hono/combine';
import type { ClickHouse } from '@thumbline/clickhouse';
import type { Logger } from '@thumbline/core';
import { createRouter, handleError, limitBody, notFound, requireToken, type AuthVariables } from '@thumbline/http';
import type { CredentialStore, Keys, SettingsStore, RedisClient } from '@thumbline/redis';
import { mountAlerts } from './alerts.route.ts';
import { mountBreakdown } from './breakdown.route.ts';
import { mountKnowledgeGaps } from './knowledge-gaps.route.ts';
import { mountOverview } from './overview.route.ts';
import { mountSettings } from './settings.route.ts';
import { mountSources } from './sources.route.ts';
import { mountSql } from './sql.route.ts';
import { mountConversations } from './conversations.route.ts';
import { mountConversationsExport } from './conversations-export.route.ts';
import { mountReview } from './review.route.ts';
import { mountErasures } from './erasures.route.ts';

export { ensureDemoWorkspace, DEMO_WORKSPACE, type DemoCredentials } from './bootstrap.ts';
export { mountDashboard } from './dashboard.route.ts';
export { loadSdkBundle, SDK_BUNDLE_PATH, type SdkBundle } from './sdk.route.ts';

export interface ApiDeps {
  ch: ClickHouse;
  redis: RedisClient;
  keys: Keys;
  store: CredentialStore;
  settings: SettingsStore;
  log: Logger;
  /** Alert webhooks: whether rules may target loopback and private addresses (THUMBLINE_WEBHOOK_ALLOW_PRIVATE). */
  webhooks?: { allowPrivate: boolean };
}

/** Mounts the dashboard-token API (the OpenAPI document) on `app`. */
export function mountApi(app: OpenAPIHono<any>, deps: ApiDeps): void {
  // Ingest counts its own bodies as they stream (512 KiB); everything else: 64 KiB.
  app.use('*', except('/v1/events', limitBody()));
  app.use('/v1/analytics/*', requireToken(deps.store, ['dashboard']));
  mountOverview(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  mountBreakdown(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  mountSources(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  app.use('/v1/conversations', requireToken(deps.store, ['dashboard']));
  // Reading a conversation and reviewing it take the dashboard token; erasing one (DELETE on
  // the conversation itself) the admin token.
  app.on(['GET', 'HEAD'], '/v1/conversations/*', requireToken(deps.store, ['dashboard']));
  app.on(['PUT', 'DELETE'], '/v1/conversations/:id/review', requireToken(deps.store, ['dashboard']));
  app.on('DELETE', '/v1/conversations/:id', requireToken(deps.store, ['admin']));
  app.use('/v1/erasures', requireToken(deps.store, ['admin']));
  app.use('/v1/erasures/*', requireToken(deps.store, ['admin']));
  // Before the conversation by id, which would take `export` for an id.
  mountConversationsExport(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  mountConversations(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  mountReview(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  app.use('/v1/settings/*', requireToken(deps.store, ['dashboard']));
  mountSettings(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  app.use('/v1/recommendations/*', requireToken(deps.store, ['dashboard']));
  mountKnowledgeGaps(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  app.use('/v1/alerts/*', requireToken(deps.store, ['dashboard']));
  mountAlerts(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  app.use('/v1/sql', requireToken(deps.store, ['admin']));
  mountSql(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
  mountErasures(app as OpenAPIHono<{ Variables: AuthVariables }>, deps);
}

/** The api role as a Hono app, without side effects (testable in-process). */
export function createApiApp(deps: ApiDeps): OpenAPIHono<any> {
  const app = createRouter();
  app.onError(handleError(deps.log));
  app.notFound(notFound);
  mountApi(app, deps);
  return app;
}
