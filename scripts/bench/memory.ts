// Redis memory per event: `npm start` on an empty data dir and its own redis-server (REDIS_URL,
// the private one's settings), a realistic mix of events (conversation-mix.ts) sent until
// ClickHouse has them all, Redis's used_memory read before, at its peak, at the end of the load
// and, with a hot window set, after it has passed twice over.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@thumbline/core';
import type { Redis } from 'ioredis';
import { createRedis, whenReady } from '@thumbline/redis';
import { startLocalRedis } from '@thumbline/runtime';
import { eventsStored, waitForCount } from './app-counts.ts';
import { ConversationMix, STAGES } from './conversation-mix.ts';
import { appCredentials, npmScript, started } from './launch.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = createLogger({ level: 'silent' });

/** Redis's INFO memory figures the bench reads, in bytes. */
async function memory(redis: Redis): Promise<{ used: number; peak: number }> {
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? NaN);
  return { used: field('used_memory'), peak: field('used_memory_peak') };
}

/**
 * used_memory once it holds still: sampled every second until it moved less than 0.5 %
 * over the last 5 samples (expired generations are freed in the background), at most `maxMs`.
 */
async function settledMemory(redis: Redis, maxMs = 30_000): Promise<number> {
  const samples: number[] = [];
  const t0 = performance.now();
  for (;;) {
    samples.push((await memory(redis)).used);
    const last = samples.slice(-5);
    const spread = Math.max(...last) - Math.min(...last);
    if ((last.length === 5 && spread <= 0.005 * Math.max(...last)) || performance.now() - t0 > maxMs) {
      return samples.at(-1) as number;
    }
    await sleep(1000);
  }
}

/** A key's name with its partition and every part that holds a digit (ids, times, pids) starred. */
function keyGroup(key: string): string {
  return key
    .replace(/\{([^:}]+):p\d+\}/, '{$1:p*}')
    .split(':')
    .map((segment) =>
      segment
        .split(/([-_}])/)
        .map((part) => (/\d/.test(part) && !/^\{/.test(part) ? '*' : part))
        .join(''),
    )
    .join(':');
}

/** Bytes of the keys Redis holds, grouped by key name with numbers and partitions starred. */
async function keyGroups(redis: Redis): Promise<Record<string, { keys: number; bytes: number }>> {
  const groups: Record<string, { keys: number; bytes: number }> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    const usage = (await pipeline.exec()) ?? [];
    for (const [i, key] of keys.entries()) {
      const bytes = Number(usage[i]?.[1]) || 0;
      const group = keyGroup(key);
      const g = (groups[group] ??= { keys: 0, bytes: 0 });
      g.keys++;
      g.bytes += bytes;
    }
  } while (cursor !== '0');
  return Object.fromEntries(Object.entries(groups).sort((a, b) => b[1].bytes - a[1].bytes));
}

/**
 * Sends the mix's bodies with `concurrency` requests in flight until it has none left or
 * `more()` says stop; 429 and 503 are retried after Retry-After.
 */
async function send(
  url: string,
  secretKey: string,
  mix: ConversationMix,
  concurrency: number,
  more: () => boolean,
): Promise<{ accepted: number; requests: number; retries: number }> {
  let accepted = 0;
  let requests = 0;
  let retries = 0;
  const loop = async () => {
    for (let body = mix.nextBody(); body !== null; body = more() ? mix.nextBody() : null) {
      for (;;) {
        const res = await fetch(`${url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
          body,
        });
        if (res.status === 202) {
          const r = (await res.json()) as { accepted: number; rejected: unknown[] };
          if (r.rejected.length > 0) throw new Error(`events rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
          accepted += r.accepted;
          requests++;
          break;
        }
        const text = await res.text();
        if (res.status !== 429 && res.status !== 503) throw new Error(`ingest answered ${res.status}: ${text}`);
        retries++;
        await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { accepted, requests, retries };
}

export interface MemoryRun {
  /** THUMBLINE_HOT_WINDOW_SECONDS, or null for the default. */
  hotWindowS: number | null;
  events: number;
  requests: number;
  retries: number;
  send_s: number;
  counted_s: number;
  before_bytes: number;
  peak_bytes: number;
  end_bytes: number;
  /** After twice the hot window and a margin (only with a window set). */
  after_window_bytes: number | null;
  /** What Redis held when last measured, by key group. */
  keys: Record<string, { keys: number; bytes: number }>;
}

/**
 * One run: `npm start` on a fresh data dir and a fresh redis-server, `conversations` conversations
 * (STAGES events each) sent in requests of `perRequest`. Sending stops early when what was sent
 * could not be counted within `budgetS` of the start at the rate ClickHouse counts so far.
 */
async function memoryRun(opts: {
  hotWindowS: number | null;
  conversations: number;
  perRequest: number;
  budgetS: number;
  concurrency: number;
  marginS: number;
}): Promise<MemoryRun> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-memory-'));
  const dataDir = join(dir, 'app');
  mkdirSync(dataDir);
  // Its own redis-server with the private one's settings (AOF, noeviction, 2gb, lazy expire).
  const local = await startLocalRedis(join(dir, 'redis'), log);
  const redis = createRedis(local.url, 'queue');
  await whenReady(redis);
  const env: Record<string, string> = { THUMBLINE_DATA_DIR: dataDir, REDIS_URL: local.url, LOG_LEVEL: 'warn' };
  if (opts.hotWindowS !== null) env.THUMBLINE_HOT_WINDOW_SECONDS = String(opts.hotWindowS);
  const app = await started(npmScript('start'), env, 'Thumbline is ready');
  try {
    const creds = appCredentials(dataDir);
    const before = await settledMemory(redis, 10_000);
    const mix = new ConversationMix(opts.conversations, opts.perRequest);
    const stored = () => eventsStored(app.url, creds.admin_token as string);
    const t0 = performance.now();
    const deadline = t0 + opts.budgetS * 1000;
    // Watches the count while sending: the time left must cover counting the backlog.
    let stopAt = deadline;
    let sending = true;
    const watch = (async () => {
      while (sending) {
        await sleep(2000);
        const counted = await stored();
        const now = performance.now();
        const rate = counted / (now - t0);
        if (rate > 0) stopAt = deadline - (mix.events - counted) / rate;
      }
    })();
    const sent = await send(
      app.url,
      creds.secret_key as string,
      mix,
      opts.concurrency,
      () => performance.now() < stopAt,
    );
    sending = false;
    await watch;
    const sendS = (performance.now() - t0) / 1000;
    await waitForCount(stored, sent.accepted, 600_000, 1000);
    const countedS = (performance.now() - t0) / 1000;
    const end = await settledMemory(redis);
    let afterWindow: number | null = null;
    if (opts.hotWindowS !== null) {
      // Everything was written before it was counted: an entry lives at most twice the window.
      await sleep((2 * opts.hotWindowS + opts.marginS) * 1000);
      afterWindow = await settledMemory(redis);
    }
    const { peak } = await memory(redis);
    return {
      hotWindowS: opts.hotWindowS,
      events: sent.accepted,
      requests: sent.requests,
      retries: sent.retries,
      send_s: Math.round(sendS * 10) / 10,
      counted_s: Math.round(countedS * 10) / 10,
      before_bytes: before,
      peak_bytes: peak,
      end_bytes: end,
      after_window_bytes: afterWindow,
      keys: await keyGroups(redis),
    };
  } finally {
    await app.proc.stop();
    redis.disconnect();
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const perEvent = (bytes: number, events: number) => Math.round((bytes / Math.max(1, events)) * 100) / 100;

/**
 * Redis bytes per event after a short hot window (BENCH_HOT_WINDOW_S, 30 s) has passed twice,
 * and at its peak; then the same traffic with the default window, measured at the end of the
 * load only. BENCH_MEMORY_EVENTS (1M) events in requests of BENCH_MEMORY_BATCH (200). The
 * section keeps to about BENCH_MEMORY_BUDGET_S (570 s): each run sends and counts within its
 * share, stopping early on a machine too slow for the full count (the figures say how many).
 */
export async function benchMemory(): Promise<{ figures: Record<string, number>; runs: MemoryRun[] }> {
  const events = Number(process.env.BENCH_MEMORY_EVENTS ?? 1_000_000);
  const perRequest = Number(process.env.BENCH_MEMORY_BATCH ?? 200);
  const hotWindowS = Number(process.env.BENCH_HOT_WINDOW_S ?? 30);
  const marginS = 15;
  const budgetS = Number(process.env.BENCH_MEMORY_BUDGET_S ?? 570);
  // Starts, settling and stops take about a minute in all; the rest is shared by the two runs.
  const runS = Math.max(30, (budgetS - 60 - 2 * hotWindowS - marginS) / 2);
  const common = { perRequest, concurrency: 8, marginS };
  const short = await memoryRun({
    ...common,
    hotWindowS,
    conversations: Math.ceil(events / STAGES),
    budgetS: runS,
  });
  const byDefault = await memoryRun({
    ...common,
    hotWindowS: null,
    // The conversations the first run sent (its last ones only in part).
    conversations: Math.ceil(short.events / STAGES),
    budgetS: runS,
  });
  const figures: Record<string, number> = {
    memory_events: short.events,
    memory_hot_window_s: hotWindowS,
    memory_send_events_s: Math.round(short.events / short.send_s),
    memory_counted_events_s: Math.round(short.events / short.counted_s),
    memory_retries: short.retries,
    redis_bytes_per_event_after_window: perEvent((short.after_window_bytes ?? NaN) - short.before_bytes, short.events),
    redis_bytes_per_event_peak: perEvent(short.peak_bytes - short.before_bytes, short.events),
    redis_bytes_per_event_end_of_load: perEvent(short.end_bytes - short.before_bytes, short.events),
    memory_default_window_events: byDefault.events,
    redis_bytes_per_event_default_window_end_of_load: perEvent(
      byDefault.end_bytes - byDefault.before_bytes,
      byDefault.events,
    ),
    redis_bytes_per_event_default_window_peak: perEvent(
      byDefault.peak_bytes - byDefault.before_bytes,
      byDefault.events,
    ),
  };
  return { figures, runs: [short, byDefault] };
}
