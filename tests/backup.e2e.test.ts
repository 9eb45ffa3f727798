// Backup and restore of the embedded install (docs/operations.md): `npm run thumbline -- backup`
// taken from a running `npm start` under load, restored with `restore` into an empty data dir,
// started there: the counts are those of the backup's point (a prefix of what was accepted, each
// once), and events sent after the restore — new ones and a copy of one in the backup — count once.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort, spawnArgs, spawnEntry, type Spawned } from './support/spawn.ts';

const root = mkdtempSync(join(tmpdir(), 'thumbline-backup-'));
const dirs = { a: join(root, 'a'), b: join(root, 'b'), backup: join(root, 'backup') };
let server: Spawned | null = null;
let base = '';

async function start(dataDir: string) {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawnEntry('apps/server/src/main.ts', {
    PORT: String(port),
    THUMBLINE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  });
  await server.waitFor('Thumbline is ready', 60_000);
  return JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as Record<string, string>;
}

async function cli(dataDir: string, ...args: string[]) {
  const run = spawnArgs('scripts/thumbline.ts', args, { THUMBLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const code = await run.exited();
  return { code, out: run.output() };
}

const event = (i: number, id = randomUUID()) => ({
  event_id: id,
  type: 'message.feedback',
  ts: Date.now(),
  conversation_id: `b-${i}`,
  message_id: `b-${i}-m`,
  thumb: 'up',
});

async function send(key: string, body: object) {
  const res = await fetch(`${base}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status;
}

async function thumbsUp(token: string): Promise<number> {
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const res = await fetch(`${base}/v1/analytics/overview?from=${from}&to=${day}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { thumbs: { up: number } }).thumbs.up;
}

/**
 * The count once it has stopped moving (the pipeline drained): unchanged for `quietMs`. With
 * `expected` known, it is waited for first and must then hold for 2 s (a double count would
 * show); without, the quiet must outlast what a restored worker waits for the leases the
 * backed-up one held (~6 s) before it resumes.
 */
async function settled(token: string, expected?: number): Promise<number> {
  const quietMs = expected === undefined ? 12_000 : 2_000;
  if (expected !== undefined) {
    await vi.waitFor(async () => expect(await thumbsUp(token)).toBeGreaterThanOrEqual(expected), {
      timeout: 60_000,
      interval: 200,
    });
  }
  let last = await thumbsUp(token);
  let since = Date.now();
  const deadline = Date.now() + 90_000;
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`the count kept moving (last ${last})`);
    await new Promise((r) => setTimeout(r, 500));
    const now = await thumbsUp(token);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

afterAll(async () => {
  await server?.stop('SIGTERM');
  rmSync(root, { recursive: true, force: true });
});

describe('backup and restore of the embedded install', () => {
  it('restores the backup point exactly, and counts later events once', async () => {
    const creds = await start(dirs.a);
    // Load: one event per request, in order, so what was accepted is a numbered prefix.
    let accepted = 0;
    let loading = true;
    const firstId = randomUUID();
    const load = (async () => {
      while (loading) {
        const i = accepted;
        if ((await send(creds.secret_key as string, event(i, i === 0 ? firstId : undefined))) === 202) accepted = i + 1;
      }
    })();
    await vi.waitFor(() => expect(accepted).toBeGreaterThan(200), { timeout: 30_000 });
    const before = accepted;
    const backup = await cli(dirs.a, 'backup', dirs.backup);
    const after = accepted;
    expect(backup.code, backup.out).toBe(0);
    expect(JSON.parse(backup.out.slice(backup.out.indexOf('{'))) as object).toMatchObject({ format: 1 });
    await vi.waitFor(() => expect(accepted).toBeGreaterThan(after + 50), { timeout: 30_000 });
    loading = false;
    await load;
    // The original goes on counting what it accepted after the backup.
    expect(await settled(creds.dashboard_token as string, accepted)).toBe(accepted);
    await server?.stop('SIGTERM');
    server = null;

    expect((await cli(dirs.b, 'restore', join(root, 'none'))).code).toBe(2);
    const restored = await cli(dirs.b, 'restore', dirs.backup);
    expect(restored.code, restored.out).toBe(0);
    // A second restore onto the now non-empty data dir is refused.
    expect((await cli(dirs.b, 'restore', dirs.backup)).code).toBe(2);
    expect(existsSync(join(dirs.b, 'credentials.json'))).toBe(true);

    const again = await start(dirs.b);
    expect(again.secret_key).toBe(creds.secret_key);
    const k = await settled(again.dashboard_token as string);
    // The backup's point lies while the CLI ran; there, everything accepted counts once.
    expect(k).toBeGreaterThanOrEqual(before);
    expect(k).toBeLessThanOrEqual(after);
    const conversation = (i: number) =>
      fetch(`${base}/v1/conversations/b-${i}`, { headers: { authorization: `Bearer ${again.dashboard_token}` } }).then(
        (r) => r.status,
      );
    expect(await conversation(k - 1)).toBe(200);
    expect(await conversation(k)).toBe(404);

    // After the restore: 50 new events, and a copy of the first one (in the backup): 50 more.
    for (let i = 0; i < 50; i++) expect(await send(again.secret_key as string, event(100_000 + i))).toBe(202);
    expect(await send(again.secret_key as string, event(0, firstId))).toBe(202);
    expect(await settled(again.dashboard_token as string, k + 50)).toBe(k + 50);
  }, 240_000);
});
