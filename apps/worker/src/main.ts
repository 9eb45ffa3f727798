// The worker role alone: pump (stream → jobs) and batch inserts (jobs → ClickHouse).
// Serves only /healthz, /readyz and /metrics. Run several for more throughput.
import { runRole, type Services } from '@thumbline/runtime';
import { env } from './env.ts';
import { createWorker, DEFAULT_RETRY } from './app.ts';

await runRole<Services>({
  name: 'worker',
  env,
  clickhouse: true,
  async setup(s) {
    const worker = createWorker({
      ...s,
      concurrency: env.THUMBLINE_WORKER_CONCURRENCY,
      retry: { ...DEFAULT_RETRY, attempts: env.THUMBLINE_BATCH_ATTEMPTS },
      alerts: { allowPrivate: env.THUMBLINE_WEBHOOK_ALLOW_PRIVATE },
      pump: {
        consumer: s.consumer,
        maxEvents: env.THUMBLINE_BATCH_MAX_EVENTS,
        lingerMs: env.THUMBLINE_BATCH_LINGER_MS,
      },
    });
    worker.start();
    return { stop: () => worker.close() };
  },
});
