// Builds @thumbline/sdk into dist/ with esbuild (pinned) and tsc:
//   dist/index.js      ESM for bundlers and <script type="module"> (browser client + elements)
//   dist/server.js     ESM for Node 20+ (the chat backend's client)
//   dist/thumbline.js  the minified script-tag bundle Thumbline serves at /sdk/v1/thumbline.js
//   dist/*.d.ts        types
// Run by `npm start` / `npm test` (scripts/build-web.ts, when sources changed) and by `npm pack`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SRC = join(HERE, 'src');
export const DIST = join(HERE, 'dist');

const common: BuildOptions = {
  bundle: true,
  format: 'esm',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
};

/** The script-tag bundle's options: one minified IIFE for browsers since 2022 (class fields and private methods as written). */
const scriptTag: BuildOptions = {
  ...common,
  entryPoints: [join(SRC, 'script-tag.ts')],
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
};

/** The script-tag bundle, built in memory (the size test measures this). */
export async function bundleScriptTag(): Promise<string> {
  const result = await build({ ...scriptTag, write: false });
  return result.outputFiles![0]!.text;
}

/** d.ts files import siblings as `./x.js`, as an installed package's consumers resolve them. */
function fixDeclarationImports(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fixDeclarationImports(path);
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      writeFileSync(path, text.replace(/(from\s+|import\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2'));
    }
  }
}

export async function buildSdk(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(SRC, 'index.ts')],
      outfile: join(DIST, 'index.js'),
      platform: 'browser',
      target: 'es2022',
    }),
    build({
      ...common,
      entryPoints: [join(SRC, 'server.ts')],
      outfile: join(DIST, 'server.js'),
      platform: 'node',
      target: 'node20',
    }),
  ]);
  execFileSync(
    process.execPath,
    [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(HERE, 'tsconfig.build.json')],
    {
      stdio: 'inherit',
    },
  );
  fixDeclarationImports(DIST);
  // Last: scripts/build-web.ts takes this file's time as the build's.
  await build({ ...scriptTag, outfile: join(DIST, 'thumbline.js') });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildSdk();
