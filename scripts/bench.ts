// npm run bench: Thumbline's figures next to baselines measured in the same run.
// Prints a table (ratios first) and writes bench/results/<date>.json.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createLogger } from '@thumbline/core';
import { createKeys, createRedis, CredentialStore, newToken, whenReady } from '@thumbline/redis';
import { startLocalRedis } from '@thumbline/runtime';
import { freePort, spawnEntry, type Spawned } from '../tests/support/spawn.ts';
import { benchQueries } from './bench/queries.ts';
import { benchLive } from './bench/live.ts';
import { previousResults, regressions } from './bench/compare.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = 64;
const log = createLogger({ level: 'silent' });

function thumbEvent(now: number) {
  return {
    event_id: randomUUID(),
    type: 'message.feedback',
    ts: now,
    conversation_id: `c-${randomUUID().slice(0, 8)}`,
    message_id: randomUUID(),
    thumb: 'up',
  };
}

/** Drives POST /v1/events with fresh event ids; returns requests/s and 2xx count. */
async function drive(url: string, token: string, batch: number, duration = DURATION_S) {
  const body = () =>
    JSON.stringify(
      batch === 1 ? thumbEvent(Date.now()) : { events: Array.from({ length: batch }, () => thumbEvent(Date.now())) },
    );
  const result = await autocannon({
    url: `${url}/v1/events`,
    connections: CONNECTIONS,
    duration,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return {
    reqPerSec: Math.round(result.requests.average),
    eventsPerSec: Math.round(result.requests.average * batch),
    ok: result['2xx'],
    non2xx: result.non2xx,
    latencyP99Ms: result.latency.p99,
  };
}

async function started(
  entry: string,
  env: Record<string, string>,
  readyText: string,
): Promise<{ proc: Spawned; url: string; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawnEntry(entry, { PORT: String(port), LOG_LEVEL: 'info', THUMBLINE_RATE_LIMIT: '0', ...env });
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

  try {
    // Baseline: bare Hono.
    const bare = await started('scripts/bench/bare-hono.ts', {}, 'bare hono ready');
    const bareSingle = await drive(bare.url, sk, 1);
    await bare.proc.stop();
    figures.bare_hono_req_s = bareSingle.reqPerSec;

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

    // Thumbline ingest role alone (zod + auth + XADD), single events and 100-event batches.
    const ingest = await started(
      'apps/ingest/src/main.ts',
      { REDIS_URL: redis.url, THUMBLINE_REDIS_PREFIX: 'bench' },
      'ingest role ready',
    );
    const single = await drive(ingest.url, sk, 1);
    const batch = await drive(ingest.url, sk, 100);
    await ingest.proc.stop();
    figures.ingest_single_req_s = single.reqPerSec;
    figures.ingest_single_p99_ms = single.latencyP99Ms;
    figures.ingest_single_non2xx = single.non2xx;
    figures.ingest_batch100_events_s = batch.eventsPerSec;
    figures.ingest_batch100_non2xx = batch.non2xx;

    // npm start on an empty data dir: time to ready, then sustained HTTP → counted.
    const dataDir = join(dir, 'app');
    mkdirSync(dataDir);
    const app = await started('apps/server/src/main.ts', { THUMBLINE_DATA_DIR: dataDir }, 'Thumbline is ready');
    figures.start_to_ready_ms = app.ms;
    const creds = JSON.parse(
      (await import('node:fs')).readFileSync(join(dataDir, 'credentials.json'), 'utf8'),
    ) as Record<string, string>;
    // 202 → live delta at a steady rate, 500 dashboards connected; measured before the
    // sustained flood below, whose backlog and ClickHouse merges would otherwise linger.
    for (const rate of [1000, 5000]) {
      const live = await benchLive(app.url, creds as never, rate, 500);
      figures[`live_${rate}_p50_ms`] = live.p50_ms;
      figures[`live_${rate}_p99_ms`] = live.p99_ms;
      figures[`live_${rate}_measured`] = live.measured;
    }
    const day = new Date().toISOString().slice(0, 10);
    const counted = async () => {
      const res = await fetch(`${app.url}/v1/analytics/overview?from=${day}&to=${day}&tz=UTC`, {
        headers: { authorization: `Bearer ${creds.dashboard_token}` },
      });
      return ((await res.json()) as { thumbs: { up: number } }).thumbs.up;
    };
    const already = await counted();
    const t1 = performance.now();
    const load = await drive(app.url, creds.secret_key as string, 100);
    const sent = load.ok * 100;
    for (;;) {
      const up = await counted();
      if (up >= already + sent) break;
      if (performance.now() - t1 > 300_000) throw new Error(`only ${up - already} of ${sent} counted after 5 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
    figures.sustained_http_to_counted_events_s = Math.round(sent / ((performance.now() - t1) / 1000));
    figures.sustained_events = sent;
    await app.proc.stop();
  } finally {
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  // Dashboard queries at 10M events (embedded ClickHouse, generated in place).
  const queries = await benchQueries(Number(process.env.BENCH_CONVERSATIONS ?? 1_000_000));
  Object.assign(figures, queries);

  const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
  const rows = [
    [
      'single-event ingest vs bare Hono',
      ratio(figures.ingest_single_req_s ?? 0, figures.bare_hono_req_s ?? 0),
      `${figures.ingest_single_req_s} req/s vs ${figures.bare_hono_req_s} req/s`,
    ],
    [
      'batch ingest (100/req) vs raw XADD',
      ratio(figures.ingest_batch100_events_s ?? 0, figures.raw_xadd_per_s ?? 0),
      `${figures.ingest_batch100_events_s} events/s vs ${figures.raw_xadd_per_s} XADD/s`,
    ],
    [
      'sustained HTTP → counted (all-in-one)',
      ratio(figures.sustained_http_to_counted_events_s ?? 0, figures.ingest_batch100_events_s ?? 0),
      `${figures.sustained_http_to_counted_events_s} events/s vs ingest alone`,
    ],
    ['npm start → ready', '', `${figures.start_to_ready_ms} ms (empty data dir)`],
    [
      '202 → delta at 1k events/s, 500 sockets',
      '',
      `p50 ${figures.live_1000_p50_ms} ms, p99 ${figures.live_1000_p99_ms} ms`,
    ],
    [
      '202 → delta at 5k events/s, 500 sockets',
      '',
      `p50 ${figures.live_5000_p50_ms} ms, p99 ${figures.live_5000_p99_ms} ms`,
    ],
    [
      `overview p95 vs raw scan (${(queries.events / 1e6).toFixed(0)}M events)`,
      ratio(queries.overview_p95_ms, queries.overview_raw_scan_p95_ms),
      `${queries.overview_p50_ms}/${queries.overview_p95_ms} ms p50/p95 vs ${queries.overview_raw_scan_p50_ms}/${queries.overview_raw_scan_p95_ms} ms`,
    ],
    [
      `inbox page p95 vs raw scan (${(queries.events / 1e6).toFixed(0)}M events)`,
      ratio(queries.inbox_p95_ms, queries.inbox_raw_scan_p95_ms),
      `${queries.inbox_p50_ms}/${queries.inbox_p95_ms} ms p50/p95 vs ${queries.inbox_raw_scan_p50_ms}/${queries.inbox_raw_scan_p95_ms} ms`,
    ],
  ];
  process.stdout.write(`\nThumbline bench (${DURATION_S}s per load, ${CONNECTIONS} connections, same machine)\n\n`);
  for (const [name, r, abs] of rows)
    process.stdout.write(`  ${String(name).padEnd(40)} ${String(r).padStart(6)}   ${abs}\n`);
  const out = join('bench', 'results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), duration_s: DURATION_S, connections: CONNECTIONS, figures }, null, 2)}\n`,
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
