// Traces (docs/operations.md, Tracing): `npm start` with OTEL_EXPORTER_OTLP_ENDPOINT pointing at a
// local OTLP/HTTP receiver; one ingest request's trace goes on through its stream entry, the
// batch and its stages, the ClickHouse inserts, to the live delta (publish).
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  links?: { traceId: string; spanId: string }[];
}

const dataDir = mkdtempSync(join(tmpdir(), 'thumbline-trace-'));
const spans: OtlpSpan[] = [];
let receiver: Server;
let server: Spawned;
let base = '';

beforeAll(async () => {
  const otlpPort = await freePort();
  // A local OTLP/HTTP receiver (JSON, as @opentelemetry/exporter-trace-otlp-http sends it).
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of parsed.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }).listen(otlpPort, '127.0.0.1');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawnEntry('apps/server/src/main.ts', {
    PORT: String(port),
    THUMBLINE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
  });
  await server.waitFor('Thumbline is ready', 60_000);
}, 90_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('tracing', () => {
  it('follows an event from its ingest request to the live delta in one trace', async () => {
    const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as Record<string, string>;
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${creds.secret_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        event_id: randomUUID(),
        type: 'message.feedback',
        ts: Date.now(),
        conversation_id: 'traced',
        message_id: 'traced-m',
        thumb: 'up',
      }),
    });
    expect(res.status).toBe(202);

    const trace = await vi.waitFor(
      () => {
        const ingest = spans.find((s) => s.name === 'ingest POST /v1/events');
        expect(ingest).toBeDefined();
        const mine = spans.filter((s) => s.traceId === ingest?.traceId);
        expect(mine.map((s) => s.name)).toEqual(expect.arrayContaining(['publish', 'release']));
        return mine;
      },
      { timeout: 30_000, interval: 200 },
    );
    const byName = (name: string) => trace.filter((s) => s.name === name);
    const one = (name: string) => {
      const found = byName(name);
      expect(found, `${name} in ${trace.map((s) => s.name).join(', ')}`).toHaveLength(1);
      return found[0] as OtlpSpan;
    };
    const ingest = one('ingest POST /v1/events');
    const append = one('stream.append');
    const batch = one('batch');
    expect(append.parentSpanId).toBe(ingest.spanId);
    // The context crossed Redis in the stream entry: the batch is the append's child.
    expect(batch.parentSpanId).toBe(append.spanId);
    for (const stage of ['store_events', 'commit', 'summaries', 'publish', 'release']) {
      expect(one(stage).parentSpanId, stage).toBe(batch.spanId);
    }
    // Resolution may run more than once in a batch (state read again); each a stage of it.
    expect(byName('resolve').length).toBeGreaterThan(0);
    for (const s of byName('resolve')) expect(s.parentSpanId).toBe(batch.spanId);
    const stageIds = new Set(trace.filter((s) => s.parentSpanId === batch.spanId).map((s) => s.spanId));
    const inserts = trace.filter((s) => s.name.startsWith('clickhouse.insert '));
    expect(inserts.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'clickhouse.insert events',
        'clickhouse.insert feedback_changes',
        'clickhouse.insert conversations',
      ]),
    );
    for (const s of inserts) expect(stageIds.has(s.parentSpanId ?? ''), s.name).toBe(true);
  }, 60_000);
});
