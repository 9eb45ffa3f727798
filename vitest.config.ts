import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// In-repo packages resolve to their TypeScript source (the `@thumbline/source` export condition);
// dependencies as Node resolves them at run time: without bundlers' `module` condition, whose
// builds Node never loads (@opentelemetry/api 1.9's `module` build imports paths without extensions).
const conditions = ['@thumbline/source', ...defaultServerConditions.filter((c) => c !== 'module')];

/**
 * The pipeline's tests again on a real 3-master Redis Cluster (REDIS_CLUSTER=true): every
 * script must touch one slot, and partitions spread over the nodes.
 */
const onCluster = [
  'tests/event-stream.test.ts',
  'tests/pipeline.test.ts',
  'tests/exactness.property.test.ts',
  'tests/crash.e2e.test.ts',
  'tests/partitions.test.ts',
  'tests/poison.test.ts',
  'tests/live.test.ts',
  'tests/triage.test.ts',
];

/**
 * The long files start first, whatever project they are in: end-to-end, browser and property
 * files (named so) take 15–60 s each, and one started last held the run open alone. The rest
 * keep vitest's order (the last run's durations, else size).
 */
class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const long = (f: TestSpecification) => /\.(e2e|browser|property)\.test\.ts$/.test(f.moduleId);
    return [...sorted.filter(long), ...sorted.filter((f) => !long(f))];
  }
}

/** The packages' own tests that need Redis or embedded ClickHouse (one chDB data dir per process). */
const withServers = [
  'packages/clickhouse/src/**/*.test.ts',
  'packages/batch/src/state/archive-filter.test.ts',
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // Each file runs in its own process: embedded ClickHouse binds one data dir per process.
    pool: 'forks',
    // Two files at a time on two cores (vitest's default there is one): most files wait on
    // servers, timers and child processes. The projects share them. Three were faster (333 vs
    // 363–379 s, 2026-12-07) but starved timing tests: in a clean-clone CI run npm start, its Redis
    // paused, did not answer a request within the server client's 3 s (tests/sdk-server-client.e2e.test.ts).
    maxWorkers: 2,
    sequence: { sequencer: LongFilesFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One run, three projects: the tests with servers against one redis-server, the pipeline's
    // files against a Redis Cluster, and the modules' own tests; their files interleave.
    projects: [
      {
        extends: true,
        test: {
          name: 'redis',
          include: [...withServers, 'tests/**/*.test.ts'],
          globalSetup: ['tests/support/global-redis.ts'],
        },
      },
      {
        // Modules alone (no server, no engine): one worker thread runs file after file
        // instead of a process started per file.
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: withServers,
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'cluster', include: onCluster, globalSetup: ['tests/support/global-redis-cluster.ts'] },
      },
    ],
  },
});
