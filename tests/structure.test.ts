// The code base's shape: every file path the docs name exists, and imports point one way
// (no circle between modules, none between packages).
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

describe('docs', () => {
  it('name only files that exist', () => {
    const docs = [join(ROOT, 'README.md'), ...filesUnder(join(ROOT, 'docs'), (f) => f.endsWith('.md'))];
    const named = /\b(?:apps|packages|tests|scripts|clickhouse|docs|bench)\/[\w./-]*\w\.(?:tsx?|lua|sql|md|json|ya?ml|js)\b/g;
    const missing: string[] = [];
    for (const doc of docs) {
      for (const path of readFileSync(doc, 'utf8').match(named) ?? []) {
        if (!existsSync(join(ROOT, path))) missing.push(`${relative(ROOT, doc)}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

/** Source modules of apps and packages (tests beside them excluded) and what each imports. */
function importGraph(): Map<string, string[]> {
  const sources = ['apps', 'packages'].flatMap((top) =>
    readdirSync(join(ROOT, top)).flatMap((unit) => {
      const src = join(ROOT, top, unit, 'src');
      return existsSync(src) ? filesUnder(src, (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f)) : [];
    }),
  );
  const graph = new Map<string, string[]>();
  // Type-only imports are erased: they cannot form a circle at run time, but they still say
  // which way a dependency points, so they count too.
  const spec = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g;
  for (const file of sources) {
    const deps: string[] = [];
    for (const [, target] of readFileSync(file, 'utf8').matchAll(spec)) {
      if (target?.startsWith('.')) deps.push(resolve(dirname(file), target));
      else if (target?.startsWith('@thumbline/')) deps.push(`pkg:${target.slice('@thumbline/'.length)}`);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** The app or package a module belongs to. */
const unitOf = (file: string) => relative(ROOT, file).split('/').slice(1, 2)[0] as string;

function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'open') return stack.slice(stack.indexOf(node)).concat(node);
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

describe('imports', () => {
  const graph = importGraph();

  it('form no circle between modules', () => {
    const modules = new Map([...graph].map(([f, deps]) => [f, deps.filter((d) => !d.startsWith('pkg:'))]));
    expect(findCycle(modules)?.map((f) => relative(ROOT, f)) ?? null).toBeNull();
  });

  it('form no circle between packages and apps, and no package imports an app', () => {
    const units = new Map<string, Set<string>>();
    const apps = new Set(readdirSync(join(ROOT, 'apps')));
    for (const [file, deps] of graph) {
      const from = unitOf(file);
      const set = units.get(from) ?? new Set<string>();
      for (const d of deps) if (d.startsWith('pkg:') && d.slice(4) !== from) set.add(d.slice(4));
      units.set(from, set);
      if (file.startsWith(join(ROOT, 'packages'))) {
        const intoApps = [...set].filter((u) => apps.has(u));
        expect(intoApps, `${relative(ROOT, file)} imports an app`).toEqual([]);
      }
    }
    expect(findCycle(new Map([...units].map(([u, s]) => [u, [...s]])))).toBeNull();
  });
});
