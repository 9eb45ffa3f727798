// The worker role alone: pump (stream → jobs) and batch inserts (jobs → ClickHouse).
// Serves only /healthz, /readyz and /metrics. Run several for more throughput.
import { runRole, type Services } from '@thumbline/runtime';
import { env } from './env.ts';
import { createWorker, workerDeps } from './app.ts';

await runRole<Services>({
  name: 'worker',
  env,
  clickhouse: true,
  async setup(s) {
    const worker = createWorker(workerDeps(s));
    worker.start();
    return { stop: () => worker.close() };
  },
});
