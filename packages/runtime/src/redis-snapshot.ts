// Redis's half of a backup (docs/operations.md, Backup and restore): a snapshot taken with
// `redis-cli --rdb` (the replication protocol's RDB transfer: any Redis, the private one of
// `npm start` or a server, without touching its own files), and restored into a data dir's
// private Redis, which runs with AOF: a temporary redis-server loads the RDB without AOF and
// then writes the AOF from it (Redis 7 with AOF on ignores an RDB file at start).
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, ping } from './local-redis.ts';

/** Writes a point-in-time RDB of the Redis at `url` to `file` (the point: when Redis forks for it). */
export async function snapshotRedis(url: string, file: string): Promise<void> {
  const child = spawn('redis-cli', ['-u', url, '--rdb', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', ok);
  });
  if (code !== 0 || !existsSync(file)) throw new Error(`redis-cli --rdb failed (${code}): ${out.trim()}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes `dir` (a data dir's redis/, empty) hold the dataset of `rdb`, as the private Redis's AOF. */
export async function restoreRedisSnapshot(rdb: string, dir: string): Promise<void> {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  copyFileSync(rdb, join(abs, 'restore.rdb'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      abs,
      '--dbfilename',
      'restore.rdb',
      '--appendonly',
      'no',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  let redis: Redis | null = null;
  try {
    // A loaded machine may take seconds to start it; a big RDB takes its time to load.
    for (let i = 0; ; i++) {
      const up = await ping(port);
      if (up) {
        up.disconnect();
        break;
      }
      if (i > 600 || child.exitCode !== null)
        throw new Error('the temporary redis-server for the restore did not start');
      await sleep(100);
    }
    redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    while ((await redis.info('persistence')).includes('loading:1')) await sleep(50);
    await redis.config('SET', 'appendonly', 'yes');
    // The AOF is rewritten from the dataset in the background; done when no rewrite is pending.
    for (;;) {
      const info = await redis.info('persistence');
      if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info) && /aof_enabled:1/.test(info))
        break;
      await sleep(50);
    }
    await redis.call('SHUTDOWN').catch(() => undefined);
  } finally {
    redis?.disconnect();
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(join(abs, 'restore.rdb'), { force: true });
  }
}
