// What the tracing hooks cost when tracing is off (no OTEL_EXPORTER_OTLP_ENDPOINT): an ingest
// request passes two `traced` calls and one `currentTraceparent`; each is timed here against
// the bare call it wraps, over millions of calls (a few nanoseconds each are below any
// request-rate benchmark's noise, so they are measured where they happen).
import { currentTraceparent, traced } from '@thumbline/core';

const CALLS = 2_000_000;

async function timeNs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

/** Nanoseconds per request the hooks add with tracing off (best of 5 alternating rounds each). */
export async function tracingOffCost(): Promise<Record<string, number>> {
  const work = () => Promise.resolve(1);
  const bare: number[] = [];
  const hooked: number[] = [];
  for (let round = 0; round < 5; round++) {
    bare.push(await timeNs(async () => work()));
    hooked.push(
      await timeNs(async () => {
        await traced('ingest POST /v1/events', () => traced('stream.append', () => work(), {}));
        return currentTraceparent();
      }),
    );
  }
  const b = Math.min(...bare);
  const h = Math.min(...hooked);
  return {
    tracing_off_bare_call_ns: Math.round(b),
    tracing_off_hooked_call_ns: Math.round(h),
    tracing_off_added_ns_per_request: Math.round(Math.max(0, h - b)),
  };
}
