// State-commit throughput with 1, 2 and 4 worker processes on one workspace, on a real
// 3-master Redis Cluster (Redis side only): how far partitions let workers scale.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnArgs } from '../../tests/support/spawn.ts';
import { startRedisCluster } from '../../tests/support/redis-cluster.ts';

export async function benchScaling(seconds = 10): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-cluster-'));
  const cluster = await startRedisCluster(dir);
  const figures: Record<string, number> = {};
  try {
    for (const workers of [1, 2, 4]) {
      const env = {
        REDIS_URL: cluster.url,
        REDIS_CLUSTER: 'true',
        BENCH_PREFIX: `scale${workers}`,
        BENCH_WORKERS: String(workers),
        BENCH_SECONDS: String(seconds),
        LOG_LEVEL: 'silent',
      };
      const procs = Array.from({ length: workers }, () => spawnArgs('scripts/bench/state-worker.ts', [], env));
      await Promise.all(procs.map((p) => p.exited()));
      let total = 0;
      for (const p of procs) {
        const line = p.output().trim().split('\n').pop() ?? '{}';
        const r = JSON.parse(line) as { events: number; seconds: number };
        total += r.events / r.seconds;
      }
      figures[`state_commit_cluster_${workers}w_events_s`] = Math.round(total);
    }
    const one = figures.state_commit_cluster_1w_events_s ?? 1;
    figures.state_commit_scaling_2w = Math.round(((figures.state_commit_cluster_2w_events_s ?? 0) / one) * 100) / 100;
    figures.state_commit_scaling_4w = Math.round(((figures.state_commit_cluster_4w_events_s ?? 0) / one) * 100) / 100;
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
