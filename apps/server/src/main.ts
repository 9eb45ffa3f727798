import { createLogger } from '@thumbline/core';
import { onShutdown } from '@thumbline/runtime';
import { startServer } from './app.ts';
import { env } from './env.ts';
const log = createLogger({ level: env.LOG_LEVEL, name: 'thumbline' });
const started = performance.now();

try {
  const running = await startServer(env, log);
  onShutdown(log, running.stop);
  const c = running.credentials;
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    [
      '',
      `Thumbline is ready in ${ms} ms on ${running.baseUrl}`,
      '',
      `  Dashboard:  ${running.baseUrl}/#token=${c.dashboard_token}`,
      `  API docs:   ${running.baseUrl}/docs`,
      `  Workspace:  ${c.workspace_id}   widget: ${c.widget_id}`,
      `  Public key: ${c.public_key}`,
      `  Secret key: ${c.secret_key}`,
      `  Admin token: ${c.admin_token}`,
      `  Credentials ${running.created ? 'written to' : 'kept in'} ${env.THUMBLINE_DATA_DIR}/credentials.json`,
      '',
      '',
    ].join('\n'),
  );
} catch (err) {
  log.fatal({ err }, 'start failed');
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
