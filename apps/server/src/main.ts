import { join } from 'node:path';
import { createLogger } from '@thumbline/core';
import { onShutdown } from '@thumbline/runtime';
import { startServer } from './app.ts';
import { banner } from './banner.ts';
import { DEMO_WIDGETS, startDemoTraffic, type DemoTraffic } from './demo-traffic.ts';
import { env } from './env.ts';
const log = createLogger({ level: env.LOG_LEVEL, name: 'thumbline' });
const started = performance.now();
/** `npm run demo` (`npm start -- --demo`): simulated shoppers keep the dashboards moving. */
const demo = process.argv.includes('--demo');

/** Where this process can reach itself (a wildcard bind address is not a destination). */
function localUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::') return `http://[::1]:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

try {
  const running = await startServer(env, log);
  let traffic: DemoTraffic | undefined;
  onShutdown(log, async () => {
    await traffic?.stop(); // before the server: its requests go to this server
    await running.stop();
  });
  const c = running.credentials;
  const ms = Math.round(performance.now() - started);
  const widgets = DEMO_WIDGETS.map((w) => `${w.widget} ${w.locale}`).join(', ');
  process.stdout.write(
    banner({
      baseUrl: running.baseUrl,
      startedMs: ms,
      credentials: c,
      file: join(env.THUMBLINE_DATA_DIR, 'credentials.json'),
      created: running.created,
      terminal: process.stdout.isTTY === true,
      demo: demo
        ? [
            '',
            `  Demo traffic: on (simulated shoppers on widgets ${widgets}; a conversation every 1-3 s,`,
            `                after backfilling 30 days of history). Storefront: ${running.baseUrl}/demo?key=${c.public_key}`,
          ]
        : [],
    }),
  );
  if (demo) {
    traffic = startDemoTraffic({
      baseUrl: localUrl(env.HOST, running.port),
      credentials: c,
      log: log.child({ component: 'demo-traffic' }),
      maxEventAgeDays: env.THUMBLINE_MAX_EVENT_AGE_DAYS,
    });
  }
} catch (err) {
  log.fatal({ err }, 'start failed');
  process.stderr.write(`\n${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
