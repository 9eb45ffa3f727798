import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-file.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-atomic-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes the whole file with the requested mode and leaves no temporary file behind', () => {
    const dir = tempDir();
    const file = join(dir, 'credentials.json');
    writeFileAtomic(file, '{"a":1}\n', { mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['credentials.json']);
  });

  it('replaces an existing file in one step', () => {
    const dir = tempDir();
    const file = join(dir, 'port');
    writeFileSync(file, '1234');
    writeFileAtomic(file, '5678');
    expect(readFileSync(file, 'utf8')).toBe('5678');
    expect(readdirSync(dir)).toEqual(['port']);
  });

  it('fails without leaving a temporary file when the target cannot be replaced', () => {
    const dir = tempDir();
    // A directory where the file should go: the rename is refused.
    mkdirSync(join(dir, 'taken'));
    expect(() => writeFileAtomic(join(dir, 'taken'), 'data')).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});
