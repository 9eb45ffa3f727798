import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file that other processes read (credentials.json, the private Redis's port
 * file) so that a reader finds either no file, the old one, or the whole new one, never a
 * part: the bytes go to a temporary file in the same directory (rename is atomic only
 * within one file system), are flushed, and the temporary file is renamed over `path`.
 * `mode` applies from the first byte (subject to the umask, as with `writeFileSync`).
 */
export function writeFileAtomic(path: string, data: string, options: { mode?: number } = {}): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // 'wx': never reuse or follow whatever already sits at the temporary name.
  const fd = openSync(tmp, 'wx', options.mode ?? 0o666);
  try {
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dir);
}

/** Makes the rename itself survive a power loss (otherwise a restart could mint new credentials). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
