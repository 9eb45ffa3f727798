// The cluster run (the `cluster` project of vitest.config.ts): one real 3-master Redis Cluster for the whole
// run; tests get its seed nodes as `redisUrl` and `redisCluster` = true, and use their own
// key prefix as in the single-Redis run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRedisCluster, type RedisClusterProcess } from './redis-cluster.ts';

let cluster: RedisClusterProcess | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), 'thumbline-test-cluster-'));
  cluster = await startRedisCluster(dir);
  project.provide('redisUrl', cluster.url);
  project.provide('redisCluster', true);
}

export async function teardown() {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
