// One real redis-server for the whole test run; each test uses its own key prefix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '@thumbline/core';
import { startLocalRedis, type LocalRedis } from '@thumbline/runtime';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    /** True in the cluster run: `redisUrl` lists a Redis Cluster's seed nodes. */
    redisCluster: boolean;
  }
}

let redis: LocalRedis | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), 'thumbline-test-redis-'));
  redis = await startLocalRedis(dir, createLogger({ level: 'silent' }));
  project.provide('redisUrl', redis.url);
  project.provide('redisCluster', false);
}

export async function teardown() {
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
