import { defineConfig } from 'vitest/config';

/**
 * The pipeline's tests again, on a real 3-master Redis Cluster (REDIS_CLUSTER=true): every
 * script must touch one slot, and partitions spread over the nodes. Run by `npm test`
 * after the single-Redis run.
 */
export default defineConfig({
  test: {
    include: [
      'tests/event-stream.test.ts',
      'tests/pipeline.test.ts',
      'tests/exactness.property.test.ts',
      'tests/crash.e2e.test.ts',
      'tests/partitions.test.ts',
      'tests/poison.test.ts',
      'tests/live.test.ts',
      'tests/triage.test.ts',
    ],
    globalSetup: ['tests/support/global-redis-cluster.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
