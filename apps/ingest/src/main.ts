// The ingest role alone: POST /v1/events into the shared Redis stream (never ClickHouse).
import { runRole, type RedisServices } from '@thumbline/runtime';
import { env } from './env.ts';
import { mountIngest } from './events.route.ts';

await runRole<RedisServices>({
  name: 'ingest',
  env,
  clickhouse: false,
  async setup(s, app) {
    mountIngest(app, {
      ...s,
      maxEventAgeDays: env.THUMBLINE_MAX_EVENT_AGE_DAYS,
      trustedProxies: env.THUMBLINE_TRUSTED_PROXIES,
    });
    return {};
  },
});
