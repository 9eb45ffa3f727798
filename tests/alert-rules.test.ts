// The operators' alert rules and dashboard (ops/prometheus, ops/grafana): promtool's unit tests of
// every rule, then a real Prometheus (Debian's package) scraping a started `npm start` process
// that evaluates every rule and answers every dashboard panel's query.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csat, thumb } from './support/events.ts';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';

/** Retries `check` (its assertions) until it passes or `timeoutMs` is over. */
const until = (check: () => Promise<void>, timeoutMs: number) =>
  vi.waitFor(check, { timeout: timeoutMs, interval: 250 });

const RULES = resolve('ops/prometheus/thumbline.rules.yml');
const RULE_TESTS = resolve('ops/prometheus/thumbline.rules.test.yml');
const DASHBOARD = resolve('ops/grafana/thumbline.dashboard.json');

function promtool(...args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync('promtool', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Every rule's name and expression, from the YAML (read with promtool's own parser: `check rules` passed). */
function rules(): { alert: string; expr: string }[] {
  const text = readFileSync(RULES, 'utf8');
  const found: { alert: string; expr: string }[] = [];
  const re = /- alert: (\w+)\n\s+expr: (\|\n((?:\s{10,}.*\n)+)|(.*)\n)/g;
  for (const m of text.matchAll(re)) found.push({ alert: m[1] as string, expr: (m[3] ?? m[4] ?? '').trim() });
  return found;
}

describe('alert rules, offline', () => {
  it('pass promtool check and their unit tests', () => {
    const check = promtool('check', 'rules', RULES);
    expect(check.output).toContain('SUCCESS: 11 rules found');
    const tested = promtool('test', 'rules', RULE_TESTS);
    expect(tested.output, tested.output).toContain('SUCCESS');
    expect(tested.ok).toBe(true);
  });

  it('the unit tests catch a rule whose threshold is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thumbline-rules-'));
    try {
      const broken = readFileSync(RULES, 'utf8').replace(
        'thumbline_stream_lag_seconds) > 300',
        'thumbline_stream_lag_seconds) > 3000',
      );
      writeFileSync(join(dir, 'thumbline.rules.yml'), broken);
      writeFileSync(join(dir, 'thumbline.rules.test.yml'), readFileSync(RULE_TESTS, 'utf8'));
      const tested = promtool('test', 'rules', join(dir, 'thumbline.rules.test.yml'));
      expect(tested.ok).toBe(false);
      expect(tested.output).toContain('ThumblineBacklogOld');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name every rule the unit tests cover', () => {
    const covered = readFileSync(RULE_TESTS, 'utf8');
    for (const r of rules()) expect(covered, r.alert).toContain(`alertname: ${r.alert}`);
    expect(rules()).toHaveLength(11);
  });
});

describe('a real Prometheus scraping npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'thumbline-prom-'));
  let server: Spawned;
  let prometheus: ChildProcess;
  let promOut = '';
  let base = '';
  let prom = '';

  const query = async (expr: string) => {
    const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as { status: string; error?: string; data: { result: unknown[] } };
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawnEntry('apps/server/src/main.ts', {
      PORT: String(port),
      THUMBLINE_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      THUMBLINE_REDIS_MAXMEMORY: '256mb',
    });
    await server.waitFor('Thumbline is ready', 60_000);
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as Record<string, string>;
    const send = (body: unknown) =>
      fetch(`${base}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${creds.secret_key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const now = Date.now();
    expect((await send({ events: [thumb('c-1', 'm-1', 'up', now), csat('c-1', { score: 4 }, now)] })).status).toBe(202);
    expect((await send({ type: 'nonsense' })).status).toBe(400); // a rejected-by-code series
    const day = new Date().toISOString().slice(0, 10);
    await until(async () => {
      const res = await fetch(`${base}/v1/analytics/overview?from=${day}&to=${day}`, {
        headers: { authorization: `Bearer ${creds.dashboard_token}` },
      });
      const body = (await res.json()) as { thumbs: { up: number } };
      expect(body.thumbs.up).toBe(1);
    }, 30_000);

    const promPort = await freePort();
    prom = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dataDir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(RULES)}]`,
        'scrape_configs:',
        '  - job_name: thumbline',
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dataDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dataDir, 'prometheus-data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (d: Buffer) => (promOut += d.toString()));
    prometheus.stderr?.on('data', (d: Buffer) => (promOut += d.toString()));
    await until(async () => {
      const res = await fetch(`${prom}/api/v1/targets`).catch(() => null);
      expect(res?.ok, promOut.slice(-2000)).toBe(true);
      const body = (await res!.json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
      expect(body.data.activeTargets[0]?.health, body.data.activeTargets[0]?.lastError).toBe('up');
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await server?.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('evaluates every rule without error, on series the server exports', async () => {
    await until(async () => {
      const res = await fetch(`${prom}/api/v1/rules?type=alert`);
      const body = (await res.json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
      };
      const loaded = body.data.groups.flatMap((g) => g.rules);
      expect(loaded.map((r) => r.name).sort()).toEqual(
        rules()
          .map((r) => r.alert)
          .sort(),
      );
      for (const r of loaded) {
        expect(r.health, `${r.name}: ${r.lastError}`).toBe('ok');
        expect(r.lastEvaluation.startsWith('0001'), r.name).toBe(false);
      }
    }, 30_000);
    // Each metric a rule names is scraped from the server: a renamed metric would leave its
    // rule evaluating to nothing, for ever, without an error.
    for (const r of rules()) {
      const names = [...new Set(r.expr.match(/\b(thumbline_\w+|up)(?=[{[\s)]|$)/g) ?? [])];
      expect(names.length, r.alert).toBeGreaterThan(0);
      for (const name of names) {
        const got = await query(`count({__name__="${name}", job="thumbline"})`);
        expect(got.status, `${r.alert}: ${got.error}`).toBe('success');
        expect(got.data.result.length, `${r.alert}: ${name} is not exported`).toBe(1);
      }
      // The rule's expression without its threshold evaluates to a value (the quantity it watches).
      const watched = r.expr.replace(/\s*(==|>)\s*[\d.]+\s*$/, '');
      expect(watched).not.toBe(r.expr);
      await until(async () => {
        const got = await query(watched);
        expect(got.status, `${r.alert}: ${got.error}`).toBe('success');
        expect(got.data.result.length, `${r.alert}: ${watched}`).toBeGreaterThan(0);
      }, 20_000);
    }
  }, 90_000);

  it('answers every dashboard panel query with data', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        // Grafana's interval variable, as Grafana would fill it at a 1 s scrape interval.
        const expr = target.expr.replaceAll('$__rate_interval', '30s');
        await until(async () => {
          const got = await query(expr);
          expect(got.status, `${panel.title}: ${got.error}`).toBe('success');
          expect(got.data.result.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        }, 20_000);
      }
    }
  }, 90_000);
});
