// Traces (docs/operations.md, Tracing): with OTEL_EXPORTER_OTLP_ENDPOINT set, one trace follows an
// event from its ingest request through its stream entry (which carries the W3C traceparent),
// the batch and its stages, the ClickHouse inserts, to the live delta. Off by default, and then
// free: every hook is one test of `tracer` (no span, no context, no traceparent in the entry).
// The SDK (exporter, provider) is set up by packages/runtime tracing-sdk.ts, which turns this on.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  isSpanContextValid,
  trace,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';

let tracer: Tracer | null = null;

interface Scope {
  /** The span the running code belongs to; none in a batch whose entries are not read yet. */
  span: Span | null;
  /** Set in a batch trace: starts the batch span from its entries' traceparents. */
  join?: (traceparents: readonly (string | undefined)[]) => void;
}
const scope = new AsyncLocalStorage<Scope>();

/** Turns tracing on with this tracer (or off with null). */
export function setTracer(t: Tracer | null): void {
  tracer = t;
}

export const tracingOn = (): boolean => tracer !== null;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A W3C traceparent as a (remote) span context, or undefined. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return undefined;
  const c = {
    traceId: m[1] as string,
    spanId: m[2] as string,
    traceFlags: Number.parseInt(m[3] as string, 16),
    isRemote: true,
  };
  return isSpanContextValid(c) ? c : undefined;
}

/** The running span's W3C traceparent (what a stream entry carries), or undefined when off. */
export function currentTraceparent(): string | undefined {
  const span = tracer ? scope.getStore()?.span : undefined;
  if (!span) return undefined;
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-0${c.traceFlags & TraceFlags.SAMPLED}`;
}

async function within<T>(s: Scope, span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await scope.run(s, work);
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * Runs `work` in a span named `name`, a child of the running one (a new trace at the top);
 * just `work()` when tracing is off, or inside a batch whose span has not started yet.
 */
export function traced<T>(
  name: string,
  work: () => Promise<T>,
  attributes: Record<string, string | number> = {},
): Promise<T> {
  if (!tracer) return work();
  const parent = scope.getStore();
  if (parent && !parent.span) return work();
  const ctx = parent?.span ? trace.setSpan(ROOT_CONTEXT, parent.span) : ROOT_CONTEXT;
  const span = tracer.startSpan(name, { attributes }, ctx);
  return within({ span, ...(parent?.join ? { join: parent.join } : {}) }, span, work);
}

/**
 * Runs a batch in a trace whose parent is known only once its stream entries are read: the
 * pipeline calls `joinTrace` with their traceparents, and the `batch` span starts then (dated
 * from here), a child of the first entry's span and linked to the others'.
 */
export function batchTrace<T>(attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const t = tracer;
  const startTime = Date.now();
  const s: Scope = { span: null };
  s.join = (traceparents) => {
    if (s.span) return;
    const [first, ...rest] = traceparents.map(spanContextOf).filter((c): c is SpanContext => c !== undefined);
    const links: Link[] = rest.slice(0, 128).map((context) => ({ context }));
    const ctx = first ? trace.setSpanContext(ROOT_CONTEXT, first) : ROOT_CONTEXT;
    s.span = t.startSpan('batch', { attributes, links, startTime }, ctx);
  };
  return scope.run(s, async () => {
    try {
      return await work();
    } catch (err) {
      s.span?.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      s.span?.end();
    }
  });
}

/** Tells the running batch trace its entries' traceparents (see batchTrace); nothing when off. */
export function joinTrace(traceparents: readonly (string | undefined)[]): void {
  if (tracer) scope.getStore()?.join?.(traceparents);
}
