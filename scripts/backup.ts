// `npm run thumbline -- backup <dir>` and `restore <dir>` for the embedded install
// (docs/operations.md, Backup and restore). A backup is taken by the running `npm start`
// (it owns the embedded ClickHouse): this queues it and waits. A restore fills an empty data
// dir from a backup, with no server running on it; `npm start` then starts from there.
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { openClickHouse, restoreDatabase } from '@thumbline/clickhouse';
import { createKeys, createRedis } from '@thumbline/redis';
import { dataPaths, restoreRedisSnapshot, type Env } from '@thumbline/runtime';
import { BACKUP_FILES, type BackupJob, type BackupManifest } from '@thumbline/server';

/** A backup can take a while on a big install; the CLI waits this long for it. */
const BACKUP_TIMEOUT_MS = 6 * 3600_000;

const nonEmpty = (dir: string) => existsSync(dir) && readdirSync(dir).length > 0;

export async function backupCli(
  command: 'backup' | 'restore',
  dirArg: string | undefined,
  env: Env,
  redisUrl: () => string,
): Promise<number> {
  if (!dirArg) {
    process.stderr.write(`usage: ${command} <dir>\n`);
    return 2;
  }
  const dir = resolve(dirArg);
  if (command === 'backup') {
    if (env.CLICKHOUSE_URL) {
      process.stderr.write(
        'backup is for the embedded install; with CLICKHOUSE_URL see docs/operations.md (server installs).\n',
      );
      return 2;
    }
    if (nonEmpty(dir)) {
      process.stderr.write(`${dir} is not empty\n`);
      return 2;
    }
    const keys = createKeys(env.THUMBLINE_REDIS_PREFIX);
    const connection = createRedis(redisUrl(), 'queue');
    const events = new QueueEvents(keys.backupQueue, {
      connection: createRedis(redisUrl(), 'queue'),
      prefix: keys.bull,
    });
    const queue = new Queue<BackupJob, BackupManifest>(keys.backupQueue, { connection, prefix: keys.bull });
    try {
      await events.waitUntilReady();
      const job = await queue.add(
        'backup',
        { dir },
        { removeOnComplete: { age: 86_400 }, removeOnFail: { age: 86_400 } },
      );
      const manifest = await job.waitUntilFinished(events, BACKUP_TIMEOUT_MS);
      process.stdout.write(`${JSON.stringify({ dir, ...manifest }, null, 2)}\n`);
      return 0;
    } catch (err) {
      process.stderr.write(`backup failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    } finally {
      await queue.close();
      await events.close();
      connection.disconnect();
    }
  }
  const manifestFile = join(dir, BACKUP_FILES.manifest);
  if (!existsSync(manifestFile)) {
    process.stderr.write(`${dir} holds no backup (no ${BACKUP_FILES.manifest})\n`);
    return 2;
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  const paths = dataPaths(env);
  if (nonEmpty(paths.clickhouse) || nonEmpty(paths.redis)) {
    process.stderr.write(`restore goes into an empty data dir; ${env.THUMBLINE_DATA_DIR} has data\n`);
    return 2;
  }
  const ch = await openClickHouse({ kind: 'embedded', path: paths.clickhouse, database: env.CLICKHOUSE_DATABASE });
  try {
    await restoreDatabase(ch, join(dir, BACKUP_FILES.clickhouse), manifest.database);
  } finally {
    await ch.close();
  }
  await restoreRedisSnapshot(join(dir, BACKUP_FILES.redis), paths.redis);
  if (existsSync(join(dir, BACKUP_FILES.credentials))) {
    copyFileSync(join(dir, BACKUP_FILES.credentials), join(env.THUMBLINE_DATA_DIR, 'credentials.json'));
  }
  process.stdout.write(
    `${JSON.stringify({ restored: dir, data_dir: env.THUMBLINE_DATA_DIR, backed_up_at: manifest.created_at }, null, 2)}\n`,
  );
  return 0;
}
