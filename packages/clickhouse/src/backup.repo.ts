// The install's database backed up and restored with ClickHouse's own BACKUP and RESTORE
// (docs/operations.md, Backup and restore): every table's parts, the views and the migration
// records, to a directory (File engine; the embedded engine allows any path, client.ts).
import type { ClickHouse } from './client.ts';

/** A path ClickHouse's File('…') takes literally: absolute, no quote or backslash. */
function fileTarget(dir: string): string {
  if (!dir.startsWith('/') || /['\\\n]/.test(dir))
    throw new Error(`backup path must be absolute, without quotes: ${dir}`);
  return `File('${dir}')`;
}

/**
 * Runs a BACKUP or RESTORE statement ASYNC and waits for it in system.backups: a big database
 * takes longer than any one call's deadline.
 */
async function runAsync(ch: ClickHouse, statement: string, done: string): Promise<void> {
  const [started] = await ch.query<{ id: string }>(`${statement} ASYNC`);
  if (!started) throw new Error(`${statement.split(' ')[0]} did not start`);
  for (;;) {
    const [row] = await ch.query<{ status: string; error: string }>(
      `SELECT status, error FROM system.backups WHERE id = {id:String}`,
      { id: started.id },
    );
    if (row?.status === done) return;
    if (row && /FAILED|CANCELLED/.test(row.status)) throw new Error(`${row.status}: ${row.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Backs the database up into `dir` (which must not exist yet). */
export async function backupDatabase(ch: ClickHouse, dir: string): Promise<void> {
  await runAsync(ch, `BACKUP DATABASE ${ch.database} TO ${fileTarget(dir)}`, 'BACKUP_CREATED');
}

/**
 * Restores the database (named `backedUp` in the backup) from a backup in `dir`, replacing what the database holds (a restore
 * goes into an empty install: the CLI refuses a data dir with data).
 */
export async function restoreDatabase(ch: ClickHouse, dir: string, backedUp: string = ch.database): Promise<void> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(backedUp)) throw new Error(`invalid database name: ${backedUp}`);
  await ch.command(`DROP DATABASE IF EXISTS ${ch.database} SYNC`);
  await runAsync(ch, `RESTORE DATABASE ${backedUp} AS ${ch.database} FROM ${fileTarget(dir)}`, 'RESTORED');
  await ch.command(`USE ${ch.database}`);
}
