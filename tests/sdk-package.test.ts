// @thumbline/sdk as another project gets it: the script-tag bundle's size, `npm pack` giving a
// package that installs and type-checks outside this repo, and the integrity hash the README prints.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_EVENTS_PER_REQUEST } from '@thumbline/events';
import { bundleScriptTag } from '../packages/sdk/build.ts';
import { SERVER_MAX_BATCH } from '../packages/sdk/src/delivery.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BUDGET = 6 * 1024;
const work = mkdtempSync(join(tmpdir(), 'thumbline-sdk-pack-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the SDK and the server', () => {
  it('agree on how many events one request carries', () => {
    expect(SERVER_MAX_BATCH).toBe(MAX_EVENTS_PER_REQUEST);
  });
});

describe('the script-tag bundle', () => {
  it(`is at most 6 KB minified and gzipped`, async () => {
    const code = await bundleScriptTag();
    const gzipped = gzipSync(code).length;
    process.stdout.write(`thumbline.js: ${code.length} bytes minified, ${gzipped} bytes gzipped\n`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
    expect(code).not.toMatch(/process\.env|require\(/); // nothing of Node in a storefront
  });

  it('has the integrity hash the README prints', async () => {
    const code = await bundleScriptTag();
    const integrity = `sha384-${createHash('sha384').update(code).digest('base64')}`;
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const printed = [...readme.matchAll(/integrity="(sha384-[^"]+)"/g)].map((m) => m[1]);
    expect(printed.length).toBeGreaterThan(0);
    // When the SDK changes, put the new hash in README.md (`npm run build:web` and the
    // X-Thumbline-Integrity header of /sdk/v1/thumbline.js both give it).
    for (const hash of printed) expect(hash).toBe(integrity);
  });
});

describe('npm pack', () => {
  it('gives a package that installs, imports and type-checks in another project', () => {
    // Packs the dist/ that `npm test` built (pretest) without rebuilding it: a rebuild here
    // would pull the bundle from under servers other test files are starting.
    expect(existsSync(join(ROOT, 'packages/sdk/dist/thumbline.js')), 'run `npm run build:web` first').toBe(true);
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work, '--workspace', '@thumbline/sdk'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/server.js',
        'dist/server.d.ts',
        'dist/thumbline.js',
      ]),
    );
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json')).toEqual([]);
    expect(files.filter((f) => f.endsWith('.test.d.ts'))).toEqual([]);

    // Installed as a consumer would have it: node_modules/@thumbline/sdk, no workspace around.
    const project = join(work, 'shop');
    const target = join(project, 'node_modules', '@thumbline', 'sdk');
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, packed[0]!.filename), '-C', target, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
      dependencies?: object;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
    // Every export target outside the in-repo source condition is in the package.
    for (const entry of Object.values(manifest.exports)) {
      const targets =
        typeof entry === 'string'
          ? [entry]
          : Object.entries(entry)
              .filter(([k]) => k !== '@thumbline/source')
              .map(([, v]) => v);
      for (const t of targets) expect(existsSync(join(target, t)), t).toBe(true);
    }

    // Plain Node (no tsx, no workspace): both entries import; the browser one needs no DOM to import.
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop', type: 'module', private: true }));
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const server = await import('@thumbline/sdk/server');
         const browser = await import('@thumbline/sdk');
         const c = server.createServerClient({ baseUrl: 'http://127.0.0.1:9', secretKey: 'sk_x' });
         console.log(typeof c.messageCreated, typeof browser.createThumbline, typeof browser.defineElements);`,
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function function function');

    // A TypeScript project with Node's own resolution type-checks against the shipped .d.ts.
    writeFileSync(
      join(project, 'app.ts'),
      `import { createServerClient, type ThumblineEvent } from '@thumbline/sdk/server';
import { createThumbline, defineElements, type WidgetConfig } from '@thumbline/sdk';
const server = createServerClient({ baseUrl: 'https://tl.example', secretKey: 'sk_x' });
server.messageCreated('c', 'm', 'assistant', { text: 'Hi', sources: [{ id: 'kb-1' }] });
const browser = createThumbline({ baseUrl: 'https://tl.example', publicKey: 'pk_x' });
defineElements(browser);
const events: ThumblineEvent[] = [];
export const config: Promise<WidgetConfig> = browser.config();
export { events };
// @ts-expect-error: a thumb is up, down or none
browser.messageFeedback('c', 'm', 'sideways');
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2023', 'dom'],
          types: [],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['app.ts'],
      }),
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = (() => {
      try {
        return execFileSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
      } catch (err) {
        return (err as { stdout: string }).stdout;
      }
    })();
    expect(result).toBe('');
  }, 120_000);
});
