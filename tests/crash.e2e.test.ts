// kill -9 of the whole app in the middle of a load: a client resends every request that
// got no 202 (same event ids, as the SDK does), and after a restart each event counts
// exactly once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Overview } from '@thumbline/events';
import { eventually, spawnRedisEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';

const dir = mkdtempSync(join(tmpdir(), 'thumbline-crash-'));
let app: Spawned | null = null;
let port = 0;
// The same Redis (and prefix) across the restart: a private one in the data dir, or the cluster run's.
const redisEnv = spawnRedisEnv();

async function start() {
  port ||= await freePort();
  app = spawnEntry('apps/server/src/main.ts', {
    PORT: String(port),
    THUMBLINE_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    ...redisEnv,
  });
  await app.waitFor('Thumbline is ready', 60_000);
}

afterAll(async () => {
  await app?.stop('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 mid-load', () => {
  it('loses nothing and counts nothing twice once unanswered requests are resent', async () => {
    await start();
    const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Record<string, string>;
    const url = `http://127.0.0.1:${port}`;
    const now = Date.now();
    const requests = Array.from({ length: 300 }, (_, r) =>
      Array.from({ length: 10 }, (_, i) => thumb(`crash-${r}`, `crash-${r}-${i}`, 'up', now - 1000)),
    );
    const post = (events: object[]) =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${creds.secret_key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      }).then(
        (res) => res.status,
        () => 0,
      );

    // Fire everything, and kill the whole process (workers, gateway, ingest) part-way.
    const statuses: Promise<number>[] = [];
    for (const [i, events] of requests.entries()) {
      statuses.push(post(events));
      if (i === 120) await (app as Spawned).stop('SIGKILL');
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    const results = await Promise.all(statuses);
    const unanswered = requests.filter((_, i) => results[i] !== 202);
    expect(unanswered.length).toBeGreaterThan(0); // the kill really hit the load

    await start();
    for (const events of unanswered) expect(await post(events)).toBe(202);
    const day = new Date(now - 1000).toISOString().slice(0, 10);
    const up = async () =>
      (
        (await (
          await fetch(`${url}/v1/analytics/overview?from=${day}&to=${day}&tz=UTC`, {
            headers: { authorization: `Bearer ${creds.dashboard_token}` },
          })
        ).json()) as Overview
      ).thumbs.up;
    expect(await eventually(up, (n) => n >= 3000, 45_000)).toBe(3000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await up()).toBe(3000);
  });
});
