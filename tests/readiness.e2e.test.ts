// Ready means ready (issue 17): started again and again on a fresh data dir, the way CI
// setups and compose healthchecks do, `npm start`'s process never answers /readyz 200
// before credentials.json is there and whole.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnEntry, type Spawned } from './support/spawn.ts';

const STARTS = 6;
const FIELDS = ['workspace_id', 'widget_id', 'public_key', 'secret_key', 'dashboard_token', 'admin_token', 'base_url'];

/** The port a `PORT=0` server bound, from its log line. */
async function boundPort(child: Spawned): Promise<number> {
  await child.waitFor('"msg":"listening', 60_000);
  const line = child
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"listening'));
  return (JSON.parse(line as string) as { port: number }).port;
}

/** Polls /readyz as fast as a tight script would; resolves on the first 200. */
async function firstReady(url: string, deadline = Date.now() + 60_000): Promise<{ polls: number; notReady: number }> {
  let polls = 0;
  let notReady = 0;
  while (Date.now() < deadline) {
    polls++;
    const res = await fetch(`${url}/readyz`).catch(() => null);
    if (res?.status === 200) return { polls, notReady };
    if (res) notReady++;
    await res?.body?.cancel();
  }
  throw new Error(`not ready after ${polls} polls`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('/readyz on a fresh data dir', () => {
  it(`answers 200 only once credentials.json is complete (${STARTS} starts in a row)`, async () => {
    for (let i = 0; i < STARTS; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'thumbline-ready-'));
      const child = spawnEntry('apps/server/src/main.ts', { PORT: '0', THUMBLINE_DATA_DIR: dir, LOG_LEVEL: 'info' });
      try {
        const url = `http://127.0.0.1:${await boundPort(child)}`;
        await firstReady(url);
        // The very moment of the first 200: no waiting, no retry.
        const file = join(dir, 'credentials.json');
        const creds = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
        for (const field of FIELDS) expect(creds[field], `start ${i + 1}: ${field}`).toMatch(/\S/);
        expect(creds.base_url).toBe(url);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        const ready = (await (await fetch(`${url}/readyz`)).json()) as { checks: Record<string, string> };
        expect(ready.checks).toMatchObject({ roles: 'ok', demo_workspace: 'ok', redis: 'ok', clickhouse: 'ok' });
        // The keys in the file work at once.
        const day = new Date().toISOString().slice(0, 10);
        const res = await fetch(`${url}/v1/analytics/overview?from=${day}&to=${day}`, {
          headers: { authorization: `Bearer ${creds.dashboard_token}` },
        });
        expect(res.status).toBe(200);
        // The private Redis's port file, read by the CLI, is whole too.
        expect(readFileSync(join(dir, 'redis', 'port'), 'utf8')).toMatch(/^\d+$/);
      } finally {
        await child.stop('SIGTERM');
        const pidFile = join(dir, 'redis', 'redis.pid');
        if (existsSync(pidFile)) {
          const pid = Number(readFileSync(pidFile, 'utf8'));
          if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 120_000);
});
