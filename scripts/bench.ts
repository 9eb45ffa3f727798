// npm run bench: Thumbline's figures next to baselines measured in the same run.
// Prints a table (ratios first) and writes bench/results/<date>.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@thumbline/core';
import { createKeys, createRedis, CredentialStore, newToken, whenReady } from '@thumbline/redis';
import { startLocalRedis } from '@thumbline/runtime';
import { thumbsUpToday, waitForCount } from './bench/app-counts.ts';
import { appCredentials, npmScript, started } from './bench/launch.ts';
import { benchMemory, type MemoryRun } from './bench/memory.ts';
import { benchQueries } from './bench/queries.ts';
import { benchSearch } from './bench/search.ts';
import { benchLive } from './bench/live.ts';
import { previousResults, regressions } from './bench/compare.ts';
import { CONNECTIONS, drive, DURATION_S, thumbEvent, type LoadRun } from './bench/load.ts';
import { childrenOf, CpuMeter, machineLoad, peakRss, processName } from './bench/process-usage.ts';
import { benchSustained, rawClickHouseInsert } from './bench/sustained.ts';
import { benchScaling } from './bench/scaling.ts';
import { benchExport } from './bench/export.ts';
import { benchLongRun } from './bench/long-run.ts';
import { tracingOffCost } from './bench/tracing-off.ts';
import { formatCores, formatKeyGroups, formatSummary, summaryRows } from './bench/summary.ts';

/**
 * BENCH_ONLY=ingest,live,sustained,queries,search,scaling,memory,export,tracing runs just those sections (default:
 * all of them). BENCH_ONLY=long runs the 30-minute run (long-run.ts), which the default leaves out.
 */
const SECTIONS = new Set(
  (process.env.BENCH_ONLY ?? 'ingest,live,sustained,queries,search,scaling,memory,export').split(','),
);
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
  const usage = meter.since();
  const used = usage.processes;
  return { run: result, usage, cores: (name: string) => used[name]?.cores ?? 0 };
}

/** The run with the median throughput. */
function medianRun<T extends { reqPerSec: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor(runs.length / 2)] as T;
}

async function main() {
  const loadBefore = machineLoad();
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
      // npm start (every role in one process: ingest in its HTTP thread, the worker draining
      // what is ingested in the main thread, its private redis-server).
      const appDir = join(dir, 'ingest-app');
      mkdirSync(appDir);
      const app = await started(npmScript('start'), { THUMBLINE_DATA_DIR: appDir }, 'Thumbline is ready');
      const appCreds = appCredentials(appDir);
      const appPid = app.proc.proc.pid as number;
      const appRedisPid = childrenOf(appPid).find((child) => processName(child) === 'redis-server');
      const appCounted = () => thumbsUpToday(app.url, appCreds.dashboard_token as string);
      // Rounds alternate baseline and Thumbline, and the medians are reported: on a
      // shared machine a neighbour's burst then hits both sides instead of one run.
      const round = DURATION_S / 2;
      const bareRuns: LoadRun[] = [];
      const singleRuns: LoadRun[] = [];
      const appRuns: LoadRun[] = [];
      const appUsage: ReturnType<CpuMeter['since']>[] = [];
      // What each side's server and the load generator used: a saturated load generator
      // caps the baseline, and the ratio with it.
      const redisPid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
      const cores = {
        bare: [] as number[],
        bareLoad: [] as number[],
        ingest: [] as number[],
        ingestLoad: [] as number[],
        appMain: [] as number[],
        appHttp: [] as number[],
        appOther: [] as number[],
        appRedis: [] as number[],
        appLoad: [] as number[],
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
        const already = await appCounted();
        const a = await metered({ app: appPid, ...(appRedisPid ? { redis: appRedisPid } : {}) }, () =>
          drive(app.url, appCreds.secret_key as string, 1, round),
        );
        appRuns.push(a.run);
        appUsage.push(a.usage);
        // Node 20 names the HTTP thread "node" like the main thread: it is the busiest other one.
        const threads = a.usage.processes.app?.threads ?? {};
        const main = threads['node main'] ?? 0;
        const http = threads['node busiest other'] ?? 0;
        cores.appMain.push(main);
        cores.appHttp.push(http);
        cores.appOther.push(a.cores('app') - main - http);
        cores.appRedis.push(a.cores('redis'));
        cores.appLoad.push(a.cores('load'));
        // The worker drains the round before the next baseline runs, so it does not slow that down.
        await waitForCount(appCounted, already + a.run.ok);
      }
      figures.bare_hono_server_cores = median(cores.bare);
      figures.bare_hono_load_generator_cores = median(cores.bareLoad);
      figures.ingest_single_server_and_redis_cores = median(cores.ingest);
      figures.ingest_single_load_generator_cores = median(cores.ingestLoad);
      figures.allinone_single_main_thread_cores = median(cores.appMain);
      figures.allinone_single_http_thread_cores = median(cores.appHttp);
      figures.allinone_single_other_threads_cores = median(cores.appOther);
      figures.allinone_single_redis_cores = median(cores.appRedis);
      figures.allinone_single_load_generator_cores = median(cores.appLoad);
      await bare.proc.stop();
      await app.proc.stop();
      const bareSingle = medianRun(bareRuns);
      const single = medianRun(singleRuns);
      const appSingle = medianRun(appRuns);
      cpu.allinone_single = appUsage[appRuns.indexOf(appSingle)];
      figures.bare_hono_req_s = bareSingle.reqPerSec;
      figures.ingest_single_ratio_median = median(
        singleRuns.map((s, i) => s.reqPerSec / (bareRuns[i]?.reqPerSec ?? 1)),
      );
      figures.allinone_single_req_s = appSingle.reqPerSec;
      figures.allinone_single_p99_ms = appSingle.latencyP99Ms;
      figures.allinone_single_non2xx = appSingle.non2xx;
      figures.allinone_single_ratio_median = median(appRuns.map((s, i) => s.reqPerSec / (bareRuns[i]?.reqPerSec ?? 1)));

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

    if (want('tracing')) {
      // Tracing present but off (no OTEL_EXPORTER_OTLP_ENDPOINT): the ingest role's single-event
      // req/s, to compare with the same figure of a build without the tracing hooks
      // (docs/operations.md, Tracing).
      const ingest = await started(
        npmScript('start:ingest'),
        { REDIS_URL: redis.url, THUMBLINE_REDIS_PREFIX: 'bench' },
        'ingest role ready',
      );
      const runs: number[] = [];
      for (let r = 0; r < ROUNDS; r++) runs.push((await drive(ingest.url, sk, 1, DURATION_S / 2)).reqPerSec);
      figures.ingest_tracing_off_req_s = median(runs);
      await ingest.proc.stop();
      Object.assign(figures, await tracingOffCost());
    }

    if (want('live') || want('sustained')) {
      // npm start on an empty data dir: time to ready, then live latency and sustained HTTP → counted.
      const dataDir = join(dir, 'app');
      mkdirSync(dataDir);
      const app = await started(npmScript('start'), { THUMBLINE_DATA_DIR: dataDir }, 'Thumbline is ready');
      figures.start_to_ready_ms = app.ms;
      const creds = appCredentials(dataDir);
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
  if (want('queries')) Object.assign(figures, await benchQueries(Number(process.env.BENCH_CONVERSATIONS ?? 1_000_000)));

  // Inbox full-text search (text indexes) at 1M conversations, against a scan of the texts.
  if (want('search')) Object.assign(figures, await benchSearch(Number(process.env.BENCH_CONVERSATIONS ?? 1_000_000)));

  // State commits with 1, 2 and 4 worker processes on one workspace, on a 3-master Redis Cluster.
  if (want('scaling')) Object.assign(figures, await benchScaling());

  // Memory of a streamed export of every conversation (1M by default).
  if (want('export')) {
    const n = Number(process.env.BENCH_EXPORT_CONVERSATIONS ?? 1_000_000);
    Object.assign(figures, await benchExport({ redis: client, keys, store, log }, n));
  }

  // Redis bytes per event after the hot window, over 1M events of a realistic mix.
  let memoryRuns: MemoryRun[] | undefined;
  if (want('long')) Object.assign(figures, await benchLongRun());

  if (want('memory')) {
    const memory = await benchMemory();
    Object.assign(figures, memory.figures);
    memoryRuns = memory.runs;
  }

  const machine = { before: loadBefore, after: machineLoad() };
  const busy = (m: ReturnType<typeof machineLoad>) =>
    `load ${m.loadavg_1m}${m.cpu_pressure_some_avg60 === null ? '' : `, CPU pressure ${m.cpu_pressure_some_avg60} %`}`;
  process.stdout.write(
    `\nThumbline bench (${DURATION_S}s per load, ${CONNECTIONS} connections, same machine; ` +
      `${busy(machine.before)} before, ${busy(machine.after)} after)\n\n`,
  );
  process.stdout.write(formatSummary(summaryRows(figures, want, ROUNDS)));
  const coresOf: [string, string][] = [
    ['allinone_single', 'single-event ingest on npm start (median round)'],
    ['sustained', 'the sustained run'],
  ];
  for (const [key, during] of coresOf) {
    if (!cpu[key]) continue;
    process.stdout.write(`\nwhere the cores went during ${during} (1.00 = one core):\n`);
    process.stdout.write(formatCores(cpu[key] as ReturnType<CpuMeter['since']>));
  }
  for (const run of memoryRuns ?? []) {
    process.stdout.write(
      run.hotWindowS === null
        ? '\nwhat Redis held at the end of the load, default window (largest key groups):\n'
        : `\nwhat Redis held after the ${run.hotWindowS} s hot window (largest key groups):\n`,
    );
    process.stdout.write(formatKeyGroups(run.keys, run.events));
  }
  const out = join('bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), duration_s: DURATION_S, connections: CONNECTIONS, sections: [...SECTIONS], machine, figures, cpu, memory: memoryRuns }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten ${out}\n`);
  const before = previousResults(join('bench', 'results'), out, figures);
  if (before) {
    const moved = regressions(before.figures, figures);
    process.stdout.write(
      moved.length === 0
        ? `no figure moved more than 10 % from the previous run (${before.file})\n`
        : `moved more than 10 % from the previous run (${before.file}; noisy machines: rerun before concluding):\n  ${moved.join('\n  ')}\n`,
    );
  } else process.stdout.write('no earlier results with these figures to compare with\n');
}

await main();
