// Real-browser tests: Playwright driving Debian's Chromium (no downloaded browser builds).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { freePort, spawnArgs, type Spawned } from './spawn.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Collects uncaught errors and console errors of a page; tests assert it stays empty. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  return errors;
}

export interface RunningApp {
  url: string;
  dir: string;
  creds: Record<string, string>;
  proc: Spawned;
  stop(): Promise<void>;
}

/** `npm start`'s process on a fresh data dir (extra args such as --demo pass through; `env` adds variables). */
export async function startApp(args: string[] = [], env: Record<string, string> = {}): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-browser-'));
  const port = await freePort();
  const proc = spawnArgs('apps/server/src/main.ts', args, {
    PORT: String(port),
    THUMBLINE_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    ...env,
  });
  await proc.waitFor('Thumbline is ready', 60_000);
  const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as Record<string, string>;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    creds,
    proc,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Posts events to the app with its secret key, expecting every one accepted. */
export async function postEvents(app: RunningApp, events: object[]): Promise<void> {
  const res = await fetch(`${app.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.creds.secret_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
  expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([]);
}
