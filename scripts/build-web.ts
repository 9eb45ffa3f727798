// Builds the web bundles unless they are newer than every source: the dashboard and demo
// (vite) and @thumbline/sdk (esbuild + tsc; its script-tag bundle is /sdk/v1/thumbline.js).
// Run by `npm start` and `npm test` (pre-scripts), so a fresh clone needs no extra step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { buildSdk } from '../packages/sdk/build.ts';

const force = process.argv.includes('--force');

function newest(dir: string): number {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Runs `step` when `stamp` is missing or older than a file under `sources`. */
async function buildIfStale(name: string, stamp: string, sources: string[], step: () => Promise<unknown>) {
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (!force && sources.every((dir) => newest(dir) <= built)) return;
  const started = performance.now();
  await step();
  process.stdout.write(`built ${name} in ${Math.round(performance.now() - started)} ms\n`);
}

await buildIfStale(
  'the dashboard',
  'apps/dashboard/dist/index.html',
  ['apps/dashboard', 'packages/live-client/src', 'packages/sdk/src', 'packages/events/src'],
  () => build({ configFile: 'apps/dashboard/vite.config.ts' }),
);
await buildIfStale('@thumbline/sdk', 'packages/sdk/dist/thumbline.js', ['packages/sdk'], buildSdk);
