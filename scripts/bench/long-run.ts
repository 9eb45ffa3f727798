// The long run (BENCH_ONLY=long, not in the default sections): `npm start` on its defaults, with
// its own redis-server set up as npm start sets up its private one (REDIS_URL), sent 100-event
// requests at BENCH_LONG_RATE events/s (12,000: about 0.8 of the pipeline's sustained rate on the
// 2-core machine) for BENCH_LONG_S (1800 s) — does ingest ever answer 503, how high does Redis go,
// and is everything accepted counted (issue 22). A flood past the pipeline's rate gets 503s by
// design (backpressure); this asks whether the pipeline holds its rate for half an hour.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@thumbline/core';
import { createRedis, whenReady } from '@thumbline/redis';
import { startLocalRedis } from '@thumbline/runtime';
import { eventsStored, waitForCount } from './app-counts.ts';
import { appCredentials, npmScript, started } from './launch.ts';
import { drive } from './load.ts';

export async function benchLongRun(): Promise<Record<string, number>> {
  const seconds = Number(process.env.BENCH_LONG_S ?? 1800);
  const rate = Number(process.env.BENCH_LONG_RATE ?? 12_000);
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-long-'));
  const log = createLogger({ level: 'silent' });
  const redis = await startLocalRedis(join(dir, 'redis'), log, { maxmemory: '2gb' });
  const probe = createRedis(redis.url, 'queue');
  await whenReady(probe);
  const dataDir = join(dir, 'app');
  mkdirSync(dataDir);
  const app = await started(
    npmScript('start'),
    { THUMBLINE_DATA_DIR: dataDir, REDIS_URL: redis.url },
    'Thumbline is ready',
  );
  let peak = 0;
  let sampling = true;
  const used = async () => Number(/^used_memory:(\d+)/m.exec(await probe.info('memory'))?.[1]);
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await used());
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
  try {
    const creds = appCredentials(dataDir);
    const t0 = performance.now();
    const load = await drive(app.url, creds.secret_key as string, 100, seconds, Math.ceil(rate / 100));
    const sent = load.ok * 100;
    await waitForCount(() => eventsStored(app.url, creds.admin_token as string), sent, 1_800_000, 2000);
    const total = (performance.now() - t0) / 1000;
    const figures = {
      long_seconds: seconds,
      long_rate_events_s: rate,
      long_events_accepted: sent,
      long_non2xx: load.non2xx,
      long_events_per_s: Math.round(sent / total),
      long_redis_peak_mb: Math.round(peak / 1024 ** 2),
      long_redis_peak_share: Math.round((peak / 2 ** 31) * 1000) / 1000,
    };
    process.stdout.write(
      `  long run: ${seconds} s of 100-event requests at ${rate} events/s on npm start's defaults: ${sent} events accepted, ` +
        `${load.non2xx} non-2xx, ${figures.long_events_per_s} events/s counted, Redis peak ` +
        `${figures.long_redis_peak_mb} MB (${figures.long_redis_peak_share} of maxmemory)\n`,
    );
    return figures;
  } finally {
    sampling = false;
    await sampler;
    await app.proc.stop();
    probe.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
