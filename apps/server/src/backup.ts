// Backups of the embedded install (docs/operations.md, Backup and restore): `npm run thumbline --
// backup <dir>` queues a job that this process runs, since it owns the embedded ClickHouse.
// The worker's ClickHouse writes are held (pause) while Redis is snapshotted and ClickHouse
// backed up, so the two halves agree: ClickHouse holds exactly the batches whose state and
// stream acknowledgements the snapshot holds. Ingest keeps accepting meanwhile (into Redis).
import { Worker } from 'bullmq';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { backupDatabase } from '@thumbline/clickhouse';
import type { WorkerRole } from '@thumbline/worker';
import { snapshotRedis, type Services } from '@thumbline/runtime';

export interface BackupJob {
  /** Absolute directory to write the backup to; must be empty or absent. */
  dir: string;
}

export interface BackupManifest {
  format: 1;
  created_at: string;
  database: string;
  redis_prefix: string;
  /** How long the worker's writes were held (ms). */
  held_ms: number;
}

/** Files of a backup directory (scripts/backup.ts reads them back). */
export const BACKUP_FILES = {
  clickhouse: 'clickhouse',
  redis: 'redis.rdb',
  credentials: 'credentials.json',
  manifest: 'manifest.json',
} as const;

/** Writes a backup of the install into `dir`. */
export async function backupInstall(services: Services, worker: WorkerRole, dir: string): Promise<BackupManifest> {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) throw new Error(`${target} is not empty`);
  mkdirSync(target, { recursive: true });
  const held = performance.now();
  await worker.pause();
  try {
    await snapshotRedis(services.redisUrl, join(target, BACKUP_FILES.redis));
    await backupDatabase(services.ch, join(target, BACKUP_FILES.clickhouse));
  } finally {
    worker.resume();
  }
  const credentials = join(services.env.THUMBLINE_DATA_DIR, 'credentials.json');
  if (existsSync(credentials)) copyFileSync(credentials, join(target, BACKUP_FILES.credentials));
  const manifest: BackupManifest = {
    format: 1,
    created_at: new Date().toISOString(),
    database: services.ch.database,
    redis_prefix: services.keys.prefix,
    held_ms: Math.round(performance.now() - held),
  };
  writeFileSync(join(target, BACKUP_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Runs the backups the CLI queues, one at a time. */
export function startBackupWorker(services: Services, worker: WorkerRole): Worker<BackupJob, BackupManifest> {
  const w = new Worker<BackupJob, BackupManifest>(
    services.keys.backupQueue,
    (job) => backupInstall(services, worker, job.data.dir),
    { connection: services.connect(), prefix: services.keys.bull, concurrency: 1 },
  );
  w.on('error', (err) => services.log.error({ err }, 'backup worker error'));
  w.on('failed', (job, err) => services.log.error({ err, dir: job?.data.dir }, 'backup failed'));
  return w;
}
