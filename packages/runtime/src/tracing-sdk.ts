// The OpenTelemetry SDK behind packages/core tracing.ts: loaded only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/operations.md, Tracing), so an install without it
// never loads it. Spans go to `<endpoint>/v1/traces` over OTLP/HTTP, in batches.
import { setTracer, traced } from '@thumbline/core';
import type { ClickHouse } from '@thumbline/clickhouse';

export interface TracingEnv {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

/** Starts tracing when configured; answers how to flush and stop it. */
export async function startTracing(env: TracingEnv, role: string): Promise<() => Promise<void>> {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return async () => {};
  const [{ BatchSpanProcessor, TracerProvider }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all(
    [
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ],
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'thumbline', 'thumbline.role': role }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
        scheduledDelayMillis: 500,
      }),
    ],
  });
  setTracer(provider.getTracer('thumbline'));
  return async () => {
    setTracer(null);
    await provider.shutdown();
  };
}

/** `ch` whose inserts are spans of the running trace (a batch's ClickHouse writes). */
export function tracedClickHouse(ch: ClickHouse): ClickHouse {
  return new Proxy(ch, {
    get(target, prop) {
      if (prop === 'insert') {
        return (table: string, rows: readonly object[], ...rest: [never?, never?]) =>
          traced(`clickhouse.insert ${table}`, () => target.insert(table, rows, ...rest), { 'db.rows': rows.length });
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
