// Builds the dashboard and demo bundles (vite) unless they are newer than every source.
// Run by `npm start` and `npm test` (pre-scripts), so a fresh clone needs no extra step.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const SOURCES = ['apps/dashboard', 'packages/live-client/src', 'packages/sdk/src', 'packages/events/src'];
const STAMP = 'apps/dashboard/dist/index.html';

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

const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (process.argv.includes('--force') || SOURCES.some((dir) => newest(dir) > built)) {
  const started = performance.now();
  await build({ configFile: 'apps/dashboard/vite.config.ts' });
  process.stdout.write(`built the dashboard in ${Math.round(performance.now() - started)} ms\n`);
}
