import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// In-repo packages resolve to their TypeScript source (the `@thumbline/source` export condition);
// dependencies as Node resolves them at run time: without bundlers' `module` condition, whose
// builds Node never loads (@opentelemetry/api 1.9's `module` build imports paths without extensions).
const conditions = ['@thumbline/source', ...defaultServerConditions.filter((c) => c !== 'module')];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-redis.ts'],
    // Each file runs in its own process: embedded ClickHouse binds one data dir per process.
    pool: 'forks',
    // Two files at a time, also on two cores (vitest's default there is one): most files wait on
    // servers, timers and child processes, so the suite takes ~4.7 instead of ~6.4 minutes.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
