// The gateway role alone: Socket.IO /live on PORT for dashboards, against the shared Redis.
// Run several behind a load balancer (sticky sessions for long-polling); they share rooms.
import { runRole, type RedisServices } from '@thumbline/runtime';
import { env } from './env.ts';
import { attachGateway } from './app.ts';

await runRole<RedisServices>({
  name: 'gateway',
  env,
  clickhouse: false,
  async setup(s) {
    return { attach: (server) => attachGateway(server, s) };
  },
});
