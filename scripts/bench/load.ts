// The load generator: autocannon posting thumbs with fresh ids to POST /v1/events.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

export const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
export const CONNECTIONS = 64;

/** A thumb on a message of its own conversation: the worst case for state and rows. */
export function thumbEvent(now: number) {
  return {
    event_id: randomUUID(),
    type: 'message.feedback',
    ts: now,
    conversation_id: `c-${randomUUID().slice(0, 8)}`,
    message_id: randomUUID(),
    thumb: 'up',
  };
}

/** What one load run measured. */
export type LoadRun = Awaited<ReturnType<typeof drive>>;

/** Drives POST /v1/events with fresh event ids; returns requests/s and 2xx count. */
export async function drive(
  url: string,
  token: string,
  batch: number,
  duration = DURATION_S,
  /** Requests per second over all connections (default: as fast as the server answers). */
  overallRate?: number,
) {
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
    ...(overallRate ? { overallRate } : {}),
  });
  return {
    reqPerSec: Math.round(result.requests.average),
    eventsPerSec: Math.round(result.requests.average * batch),
    ok: result['2xx'],
    non2xx: result.non2xx,
    latencyP99Ms: result.latency.p99,
  };
}
