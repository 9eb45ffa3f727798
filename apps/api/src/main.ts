// The api role alone: dashboard queries. Also makes sure the demo workspace exists.
import { runRole, type Services } from '@thumbline/runtime';
import { env } from './env.ts';
import { mountApi, mountDashboard } from './app.ts';
import { ensureDemoWorkspace } from './bootstrap.ts';

await runRole<Services>({
  name: 'api',
  env,
  clickhouse: true,
  async setup(s, app) {
    mountApi(app, { ...s, webhooks: { allowPrivate: env.THUMBLINE_WEBHOOK_ALLOW_PRIVATE } });
    mountDashboard(app);
    const baseUrl = env.THUMBLINE_PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
    const { created } = await ensureDemoWorkspace(s.store, env.THUMBLINE_DATA_DIR, baseUrl);
    s.log.info({ created, file: `${env.THUMBLINE_DATA_DIR}/credentials.json` }, 'demo workspace ready');
    return {};
  },
});
