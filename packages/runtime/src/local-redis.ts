import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from '@thumbline/core';
import { writeFileAtomic } from './atomic-file.ts';

export interface LocalRedis {
  url: string;
  /** Flushes the AOF and stops the server. */
  stop(): Promise<void>;
}

export const REDIS_MISSING_MESSAGE = `redis-server was not found on PATH.
Thumbline starts a private Redis when REDIS_URL is not set. Install it:
  Debian/Ubuntu: sudo apt-get install -y redis-server
  macOS:         brew install redis
or point REDIS_URL at a Redis 7 with maxmemory-policy noeviction, e.g.
  REDIS_URL=redis://127.0.0.1:6379 npm start`;

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}

export async function ping(port: number): Promise<Redis | null> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    // A paused redis-server accepts the connection and never answers: give up, don't hang.
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => {});
  try {
    await r.connect();
    await r.ping();
    return r;
  } catch {
    r.disconnect();
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Adopts a redis-server a crashed run left behind on this data dir, if it still answers
 * and serves this directory; otherwise stops it. Returns its port when adopted.
 */
async function adoptLeftover(dir: string, log: Logger): Promise<number | null> {
  const pidFile = join(dir, 'redis.pid');
  const portFile = join(dir, 'port');
  if (!existsSync(pidFile) || !existsSync(portFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const port = Number(readFileSync(portFile, 'utf8').trim());
  if (!pid || !alive(pid)) return null;
  const client = port ? await ping(port) : null;
  if (client) {
    try {
      const [, servedDir] = (await client.config('GET', 'dir')) as [string, string];
      if (resolve(servedDir) === resolve(dir)) {
        log.info({ pid, port }, 'reusing the redis-server a previous run left running');
        return port;
      }
    } finally {
      client.disconnect();
    }
  }
  log.warn({ pid }, 'stopping an unresponsive redis-server left by a previous run');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  return null;
}

/**
 * Runs a private redis-server with its files under `dir`: AOF on (fsync every second),
 * no RDB snapshots, `maxmemory` with policy noeviction (BullMQ and the stream must never
 * be evicted), on a free loopback port.
 */
export async function startLocalRedis(
  dir: string,
  log: Logger,
  options: { maxmemory: string } = { maxmemory: '2gb' },
): Promise<LocalRedis> {
  const check = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (check.error) throw new Error(REDIS_MISSING_MESSAGE);
  mkdirSync(dir, { recursive: true });
  const absDir = resolve(dir);

  let port = await adoptLeftover(absDir, log);
  let child: ChildProcess | null = null;
  let stopOnExit: (() => void) | null = null;
  if (port === null) {
    port = await freePort();
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        absDir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        // A bound, so a full Redis refuses writes (ingest answers 503 before that) instead
        // of the kernel killing it; never evicting: the stream and BullMQ must not lose keys.
        '--maxmemory',
        options.maxmemory,
        '--maxmemory-policy',
        'noeviction',
        // State lives in per-generation hashes (ADR 0007): free them off the main thread.
        '--lazyfree-lazy-expire',
        'yes',
        // Each state bucket (packages/batch/src/state/encoding.ts) stays a listpack: a few
        // bytes per entry instead of ~70 in a hash table (ADR 0012).
        '--hash-max-listpack-entries',
        '512',
        '--hash-max-listpack-value',
        '1024',
        '--pidfile',
        join(absDir, 'redis.pid'),
        '--logfile',
        join(absDir, 'redis.log'),
        '--daemonize',
        'no',
      ],
      // Its own process group: a terminal's Ctrl-C (SIGINT to the foreground group) must
      // reach only us, so shutdown can drain batches before it stops Redis itself.
      { stdio: 'ignore', detached: true },
    );
    // Read by the CLI and by the next start (adoptLeftover): never half a number.
    writeFileAtomic(join(absDir, 'port'), String(port));
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    let ready = false;
    for (let i = 0; i < 100 && !exited; i++) {
      const c = await ping(port);
      if (c) {
        c.disconnect();
        ready = true;
        break;
      }
      await sleep(100);
    }
    if (!ready) throw new Error(`redis-server did not start; see ${join(absDir, 'redis.log')}`);
    log.info({ port, dir: absDir }, 'started private redis-server');
    // A process that exits without stopping it (its shutdown deadline passed) stops it on the
    // way out: SIGTERM is Redis's own graceful shutdown (the AOF is fsynced). Only a crash
    // (SIGKILL) leaves it running, for the next start to adopt.
    const started = child;
    stopOnExit = () => {
      if (started.exitCode === null && started.pid) {
        try {
          process.kill(started.pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    };
    process.once('exit', stopOnExit);
  }
  const url = `redis://127.0.0.1:${port}`;
  const runningPort = port;
  return {
    url,
    async stop() {
      if (stopOnExit) process.off('exit', stopOnExit);
      const c = await ping(runningPort);
      if (c) {
        // SHUTDOWN rewrites nothing with --save '' but fsyncs the AOF before exiting.
        await c.call('SHUTDOWN').catch(() => {});
        c.disconnect();
      }
      if (child && child.exitCode === null) {
        await new Promise<void>((ok) => {
          const timer = setTimeout(() => {
            child?.kill('SIGKILL');
            ok();
          }, 5000);
          child?.once('exit', () => {
            clearTimeout(timer);
            ok();
          });
        });
      }
    },
  };
}
