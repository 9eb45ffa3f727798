// npm run bench: Thumbline's figures next to baselines measured in the same run.
// Prints a table (ratios first) and writes bench/results/<date>.json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@thumbline/core';
import { createKeys, createRedis, CredentialStore, newToken, whenReady } from '@thumbline/redis';
import { startLocalRedis } from '@thumbline/runtime';
import { freePort, spawnNode, type Spawned } from '../tests/support/spawn.ts';
import { benchQueries } from './bench/queries.ts';
import { benchLive } from './bench/live.ts';
import { previousResults, regressions } from './bench/compare.ts';
import { CONNECTIONS, drive, DURATION_S, thumbEvent, type LoadRun } from './bench/load.ts';
import { CpuMeter, peakRss } from './bench/process-usage.ts';
import { benchSustained, rawClickHouseInsert } from './bench/sustained.ts';
import { benchScaling } from './bench/scaling.ts';
import { benchExport } from './bench/export.ts';

/** BENCH_ONLY=ingest,live,sustained,queries,scaling,export runs just those sections (default: all). */
const SECTIONS = new Set((process.env.BENCH_ONLY ?? 'ingest,live,sustained,queries,scaling,export').split(','));
const want = (section: string) => SECTIONS.has(section);
const log = createLogger({ level: 'silent' });
/** Rounds of each ingest load (DURATION_S / 2 seconds each); medians are reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? NaN) * 100) / 100;
};
/** A load run and the cores each process (and this one, the load generator, as 'load') used during it. */
async function metered(processes: Record<string, number>, run: () => Promise<LoadRun>) {
  const meter = new CpuMeter({ ...processes, load: process.pid });
  const result = await run();
  const used = meter.since().processes;
  return { run: result, cores: (name: string) => used[name]?.cores ?? 0 };
}

/** The run with the median throughput. */
function medianRun<T extends { reqPerSec: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor(runs.length / 2)] as T;
}

/** What `npm run <script>` runs, as node arguments: the bench measures the roles as users start them. */
function npmScript(script: string): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  const [command, ...args] = (scripts[script] ?? '').split(/\s+/);
  if (command !== 'node') throw new Error(`npm script ${script} does not start node: ${scripts[script]}`);
  return args;
}

async function started(
  nodeArgs: string[],
  env: Record<string, string>,
  readyText: string,
): Promise<{ proc: Spawned; url: string; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawnNode(nodeArgs, { PORT: String(port), LOG_LEVEL: 'info', THUMBLINE_RATE_LIMIT: '0', ...env });
  await proc.waitFor(readyText, 60_000);
  return { proc, url: `http://127.0.0.1:${port}`, ms: Math.round(performance.now() - t0) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-'));
  const redis = await startLocalRedis(join(dir, 'redis'), log);
  const client = createRedis(redis.url, 'edge');
  await whenReady(client);
  const keys = createKeys('bench');
  const store = new CredentialStore(client, keys);
  const sk = newToken('secret');
  await store.saveWorkspace({ id: 'bench', tz: 'UTC', allowed_origins: [] });
  await store.addToken(sk, { workspace_id: 'bench', kind: 'secret' });
  const figures: Record<string, number> = {};
  const cpu: Record<string, unknown> = {};

  try {
    if (want('ingest')) {
      // Baseline: bare Hono.
      const bare = await started(
        // The same node flags as the ingest role it is the baseline of.
        [
          ...npmScript('start:ingest').filter((a) => a.startsWith('--max-')),
          '--import',
          'tsx',
          'scripts/bench/bare-hono.ts',
        ],
        {},
        'bare hono ready',
      );
      // Thumbline ingest role alone (zod + auth + XADD), single events and 100-event batches.
      const ingest = await started(
        npmScript('start:ingest'),
        { REDIS_URL: redis.url, THUMBLINE_REDIS_PREFIX: 'bench' },
        'ingest role ready',
      );
      // Rounds alternate baseline and Thumbline, and the medians are reported: on a
      // shared machine a neighbour's burst then hits both sides instead of one run.
      const round = DURATION_S / 2;
      const bareRuns: LoadRun[] = [];
      const singleRuns: LoadRun[] = [];
      // What each side's server and the load generator used: a saturated load generator
      // caps the baseline, and the ratio with it.
      const redisPid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
      const cores = {
        bare: [] as number[],
        bareLoad: [] as number[],
        ingest: [] as number[],
        ingestLoad: [] as number[],
      };
      for (let r = 0; r < ROUNDS; r++) {
        const b = await metered({ server: bare.proc.proc.pid as number }, () => drive(bare.url, sk, 1, round));
        bareRuns.push(b.run);
        cores.bare.push(b.cores('server'));
        cores.bareLoad.push(b.cores('load'));
        const s = await metered({ server: ingest.proc.proc.pid as number, redis: redisPid }, () =>
          drive(ingest.url, sk, 1, round),
        );
        singleRuns.push(s.run);
        cores.ingest.push(s.cores('server') + s.cores('redis'));
        cores.ingestLoad.push(s.cores('load'));
      }
      figures.bare_hono_server_cores = median(cores.bare);
      figures.bare_hono_load_generator_cores = median(cores.bareLoad);
      figures.ingest_single_server_and_redis_cores = median(cores.ingest);
      figures.ingest_single_load_generator_cores = median(cores.ingestLoad);
      await bare.proc.stop();
      const bareSingle = medianRun(bareRuns);
      const single = medianRun(singleRuns);
      figures.bare_hono_req_s = bareSingle.reqPerSec;
      figures.ingest_single_ratio_median = median(
        singleRuns.map((s, i) => s.reqPerSec / (bareRuns[i]?.reqPerSec ?? 1)),
      );

      // Baseline: raw pipelined XADD of the same payload a single-event request appends.
      const payload = JSON.stringify([thumbEvent(Date.now())]);
      const n = 200_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i += 1000) {
        const p = client.pipeline();
        for (let j = 0; j < 1000; j++) p.xadd('bench:raw', '*', 'ws', 'bench', 'n', 1, 'ev', payload);
        await p.exec();
      }
      figures.raw_xadd_per_s = Math.round(n / ((performance.now() - t0) / 1000));
      await client.del('bench:raw');

      const batchRuns: LoadRun[] = [];
      const { rssMb } = await peakRss(
        ingest.proc.proc.pid as number,
        (async () => {
          for (let r = 0; r < ROUNDS; r++) batchRuns.push(await drive(ingest.url, sk, 100, round));
        })(),
      );
      const batch = medianRun(batchRuns);
      await ingest.proc.stop();
      figures.ingest_single_req_s = single.reqPerSec;
      figures.ingest_single_p99_ms = single.latencyP99Ms;
      figures.ingest_single_non2xx = single.non2xx;
      figures.ingest_batch100_events_s = batch.eventsPerSec;
      figures.ingest_batch100_non2xx = batch.non2xx;
      figures.ingest_rss_mb = rssMb;
    }

    if (want('live') || want('sustained')) {
      // npm start on an empty data dir: time to ready, then live latency and sustained HTTP → counted.
      const dataDir = join(dir, 'app');
      mkdirSync(dataDir);
      const app = await started(npmScript('start'), { THUMBLINE_DATA_DIR: dataDir }, 'Thumbline is ready');
      figures.start_to_ready_ms = app.ms;
      const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as Record<string, string>;
      // 202 → live delta at a steady rate, 500 dashboards connected; measured before the
      // sustained flood below, whose backlog and ClickHouse merges would otherwise linger.
      if (want('live')) {
        for (const rate of [1000, 5000]) {
          const live = await benchLive(app.url, creds as never, rate, 500);
          figures[`live_${rate}_p50_ms`] = live.p50_ms;
          figures[`live_${rate}_p99_ms`] = live.p99_ms;
          figures[`live_${rate}_measured`] = live.measured;
        }
      }
      if (want('sustained')) {
        const sustained = await benchSustained(app, creds);
        Object.assign(figures, sustained.figures);
        cpu.sustained = sustained.cpu;
      }
      await app.proc.stop();
    }
  } finally {
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  if (want('sustained')) {
    // Baseline: the rows the sustained run produced, inserted straight into ClickHouse.
    Object.assign(figures, await rawClickHouseInsert());
  }

  // Dashboard queries at 10M events (embedded ClickHouse, generated in place).
  const queries = want('queries') ? await benchQueries(Number(process.env.BENCH_CONVERSATIONS ?? 1_000_000)) : null;
  if (queries) Object.assign(figures, queries);

  // State commits with 1, 2 and 4 worker processes on one workspace, on a 3-master Redis Cluster.
  if (want('scaling')) Object.assign(figures, await benchScaling());

  // Memory of a streamed export of every conversation (1M by default).
  if (want('export')) {
    const n = Number(process.env.BENCH_EXPORT_CONVERSATIONS ?? 1_000_000);
    Object.assign(figures, await benchExport({ redis: client, keys, store, log }, n));
  }

  const f = figures;
  const ratio = (a = 0, b = 0) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  const rows: [string, string, string][] = [];
  if (want('ingest')) {
    rows.push(
      [
        'single-event ingest vs bare Hono',
        (f.ingest_single_ratio_median ?? 0).toFixed(2),
        `${f.ingest_single_req_s} req/s vs ${f.bare_hono_req_s} req/s (medians of ${ROUNDS} alternating rounds); ` +
          `cores: Hono ${f.bare_hono_server_cores} + load ${f.bare_hono_load_generator_cores}, ` +
          `ingest+Redis ${f.ingest_single_server_and_redis_cores} + load ${f.ingest_single_load_generator_cores}`,
      ],
      [
        'batch ingest (100/req) vs raw XADD',
        ratio(f.ingest_batch100_events_s, f.raw_xadd_per_s),
        `${f.ingest_batch100_events_s} events/s vs ${f.raw_xadd_per_s} XADD/s; ingest RSS ${f.ingest_rss_mb} MB`,
      ],
    );
  }
  if (want('live') || want('sustained'))
    rows.push(['npm start → ready', '', `${f.start_to_ready_ms} ms (empty data dir)`]);
  if (want('sustained')) {
    rows.push([
      'sustained HTTP → counted vs raw CH write',
      ratio(f.sustained_http_to_counted_events_s, f.raw_clickhouse_insert_events_s),
      `${f.sustained_http_to_counted_events_s} events/s vs ${f.raw_clickhouse_insert_events_s} events/s written ` +
        `straight to ClickHouse; app RSS ${f.app_rss_mb} MB; ${f.sustained_non2xx} non-2xx`,
    ]);
  }
  if (want('live')) {
    for (const rate of [1000, 5000]) {
      rows.push([
        `202 → delta at ${rate / 1000}k events/s, 500 sockets`,
        '',
        `p50 ${f[`live_${rate}_p50_ms`]} ms, p99 ${f[`live_${rate}_p99_ms`]} ms`,
      ]);
    }
  }
  if (queries) {
    const m = `${(queries.events / 1e6).toFixed(0)}M events`;
    rows.push(
      [
        `overview p95 vs raw scan (${m})`,
        ratio(queries.overview_p95_ms, queries.overview_raw_scan_p95_ms),
        `${queries.overview_p50_ms}/${queries.overview_p95_ms} ms p50/p95 vs ${queries.overview_raw_scan_p50_ms}/${queries.overview_raw_scan_p95_ms} ms`,
      ],
      [
        `inbox page p95 vs raw scan (${m})`,
        ratio(queries.inbox_p95_ms, queries.inbox_raw_scan_p95_ms),
        `${queries.inbox_p50_ms}/${queries.inbox_p95_ms} ms p50/p95 vs ${queries.inbox_raw_scan_p50_ms}/${queries.inbox_raw_scan_p95_ms} ms`,
      ],
    );
  }
  if (want('scaling')) {
    rows.push([
      'state commits, 2 / 4 workers vs 1 (cluster)',
      `${f.state_commit_scaling_2w} / ${f.state_commit_scaling_4w}`,
      `${f.state_commit_cluster_1w_events_s} / ${f.state_commit_cluster_2w_events_s} / ` +
        `${f.state_commit_cluster_4w_events_s} events/s with 1 / 2 / 4 worker processes on one workspace ` +
        '(3-master Redis Cluster on this machine, Redis side only)',
    ]);
  }
  if (want('export')) {
    rows.push([
      `export memory, ${f.export_conversations} conversations`,
      `${f.export_heap_growth_mb} MB`,
      `heap growth (${f.export_heap_growth_at_10pct_mb} MB after 10 % of the rows), RSS +${f.export_rss_growth_mb} MB ` +
        `over ${f.export_rss_before_mb} MB; ${f.export_bytes_mb} MB of CSV in ${f.export_s} s (${f.export_rows_per_s} rows/s)`,
    ]);
  }
  process.stdout.write(`\nThumbline bench (${DURATION_S}s per load, ${CONNECTIONS} connections, same machine)\n\n`);
  for (const [name, r, abs] of rows) process.stdout.write(`  ${name.padEnd(40)} ${r.padStart(6)}   ${abs}\n`);
  if (cpu.sustained) {
    process.stdout.write(`\nwhere the cores went during the sustained run (1.00 = one core):\n`);
    const usage = cpu.sustained as ReturnType<CpuMeter['since']>;
    for (const [label, p] of Object.entries(usage.processes)) {
      const threads = Object.entries(p.threads)
        .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
        .join(', ');
      process.stdout.write(`  ${label.padEnd(16)} ${p.cores.toFixed(2)}   ${threads}\n`);
    }
  }
  const out = join('bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), duration_s: DURATION_S, connections: CONNECTIONS, sections: [...SECTIONS], figures, cpu }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten ${out}\n`);
  const before = previousResults(join('bench', 'results'), out);
  if (before) {
    const moved = regressions(before, figures);
    process.stdout.write(
      moved.length === 0
        ? 'no figure moved more than 10 % from the previous run\n'
        : `moved more than 10 % from the previous run (noisy machines: rerun before concluding):\n  ${moved.join('\n  ')}\n`,
    );
  }
}

await main();
