// 202 → live delta latency at a steady event rate with many dashboards connected.
// Runs against an all-in-one server started by the caller.
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { LiveDelta } from '@thumbline/events';
import { spawnArgs, type Spawned } from '../../tests/support/spawn.ts';

export interface LiveFigures {
  rate: number;
  sockets: number;
  requests: number;
  measured: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** The frame-counting dashboards (scripts/bench/listeners.ts) in their own process. */
function spawnListeners(url: string, token: string, count: number): Spawned {
  return spawnArgs('scripts/bench/listeners.ts', [url, token, String(count)]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN);
}

/**
 * Sends `rate` events/s for `seconds` (100 requests/s, each with its own conversation)
 * while `sockets` dashboards listen; latency is from each request's 202 to the first
 * delta naming its conversation, seen by a few of the sockets.
 */
export async function benchLive(
  url: string,
  creds: { secret_key: string; dashboard_token: string },
  rate: number,
  sockets: number,
  seconds = 10,
): Promise<LiveFigures> {
  // Most dashboards live in another process and only count frames; a few watchers here
  // decode deltas and time them.
  const WATCHERS = 5;
  const silent = spawnListeners(url, creds.dashboard_token, Math.max(0, sockets - WATCHERS));
  await silent.waitFor('ready', 60_000);
  const clients: Socket[] = [];
  for (let i = 0; i < Math.min(WATCHERS, sockets); i++) {
    clients.push(
      io(`${url}/live`, { path: '/socket.io/', transports: ['websocket'], auth: { token: creds.dashboard_token } }),
    );
  }
  await Promise.all(clients.map((c) => (c.connected ? null : new Promise((ok) => c.once('connect', () => ok(null))))));
  const accepted = new Map<string, number>();
  const latencies: number[] = [];
  for (const c of clients) {
    c.on('delta', (d: LiveDelta) => {
      const now = performance.now();
      for (const conv of d.conversations) {
        const t = accepted.get(conv.conversation_id);
        if (t !== undefined) latencies.push(now - t);
      }
    });
  }

  const perRequest = Math.max(1, Math.round(rate / 100));
  const total = seconds * 100;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + n * 10;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const conversation = `live-${randomUUID()}`;
    const events = Array.from({ length: perRequest }, () => ({
      event_id: randomUUID(),
      type: 'message.feedback',
      ts: Date.now(),
      conversation_id: conversation,
      message_id: randomUUID(),
      thumb: 'up',
    }));
    inflight.push(
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${creds.secret_key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
      }).then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 202) accepted.set(conversation, performance.now());
      }),
    );
  }
  await Promise.all(inflight);
  await sleep(3000);
  for (const c of clients) c.disconnect();
  await silent.stop();
  // Each watcher reports each request once; the first report per request is its latency.
  const sorted = latencies.sort((a, b) => a - b);
  return {
    rate,
    sockets,
    requests: accepted.size,
    measured: sorted.length,
    p50_ms: percentile(sorted, 0.5),
    p99_ms: percentile(sorted, 0.99),
    max_ms: Math.round(sorted.at(-1) ?? NaN),
  };
}
