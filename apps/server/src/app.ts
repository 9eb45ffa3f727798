import type { Logger } from '@thumbline/core';
import { ensureDemoWorkspace, type DemoCredentials } from '@thumbline/api';
import { createWorker, workerDeps, type WorkerRole } from '@thumbline/worker';
import { openServices, type Env, type Services } from '@thumbline/runtime';
import { startHttpThread, type HttpThread } from './http-thread-host.ts';
import { startBackupWorker } from './backup.ts';

export { BACKUP_FILES, backupInstall, type BackupJob, type BackupManifest } from './backup.ts';

export interface RunningServer {
  port: number;
  baseUrl: string;
  credentials: DemoCredentials;
  /** True when this start created the demo workspace (empty data dir). */
  created: boolean;
  services: Services;
  worker: WorkerRole;
  stop(): Promise<void>;
}

/**
 * Everything in one process (README, Quick start): ingest, API, worker and dashboard on one
 * port, with local Redis/ClickHouse unless URLs are given. Two threads, so both cores work:
 * this one runs the worker role and owns ClickHouse (embedded chDB must stay in one
 * thread); the HTTP thread runs ingest, API, live gateway and dashboard, and sends its
 * ClickHouse calls here (docs/performance.md).
 */
export async function startServer(env: Env, log: Logger): Promise<RunningServer> {
  const services = await openServices(env, log, { allowLocal: true });
  const { ch, store, redis, keys, metrics } = services;

  const worker = createWorker(workerDeps(services));
  worker.start();
  // `npm run thumbline -- backup <dir>` for the embedded ClickHouse this process owns.
  const backups = env.CLICKHOUSE_URL ? null : startBackupWorker(services, worker);

  let http: HttpThread | null = null;
  const stop = async () => {
    await http?.stop(); // disconnects dashboards and stops accepting; its ClickHouse calls end first
    await backups?.close();
    await worker.close();
    await services.close();
  };
  let demo: { credentials: DemoCredentials; created: boolean };
  let baseUrl: string;
  try {
    http = await startHttpThread(services, log);
    log.info({ port: http.port, host: env.HOST }, 'listening; ready once the demo workspace exists');
    baseUrl = env.THUMBLINE_PUBLIC_URL ?? `http://${env.HOST}:${http.port}`;
    // Written atomically before the thread hears of it: ready implies the whole file is there.
    demo = await ensureDemoWorkspace(store, env.THUMBLINE_DATA_DIR, baseUrl);
    http.ready(demo.credentials.workspace_id);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  const { credentials, created } = demo;
  return { port: http.port, baseUrl, credentials, created, services, worker, stop };
}
