// A real 3-master Redis Cluster on loopback for tests: three redis-server processes with
// cluster mode on, joined by redis-cli. The pipeline tests run against it as well as
// against one Redis (the `cluster` project of vitest.config.ts).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from './spawn.ts';

export interface RedisClusterProcess {
  /** Seed nodes as REDIS_URL takes them: comma-separated. */
  url: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startRedisCluster(dir: string, masters = 3): Promise<RedisClusterProcess> {
  const ports: number[] = [];
  const procs: ChildProcess[] = [];
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    const nodeDir = join(dir, `node-${port}`);
    mkdirSync(nodeDir, { recursive: true });
    ports.push(port);
    procs.push(
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--dir',
          nodeDir,
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
          '--appendonly',
          'yes',
          '--save',
          '',
          '--maxmemory-policy',
          'noeviction',
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  for (const port of ports) {
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.includes('PONG')) break;
      await sleep(50);
    }
  }
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
  const url = ports.map((p) => `redis://127.0.0.1:${p}`).join(',');
  // Ready once every slot is served and the nodes agree.
  const probe = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
  try {
    for (let i = 0; i < 100; i++) {
      const info = (await probe.cluster('INFO').catch(() => '')) as string;
      if (info.includes('cluster_state:ok')) break;
      await sleep(100);
    }
  } finally {
    probe.disconnect();
  }
  return {
    url,
    async stop() {
      for (const p of procs) p.kill('SIGKILL');
    },
  };
}
