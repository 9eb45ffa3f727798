// Export memory: GET /v1/conversations/export over N conversations (default 1M), served over
// HTTP by the API app on embedded ClickHouse and read by a client that keeps nothing, while
// this process's RSS and heap are sampled. Constant memory = the growth does not depend on N.
// Alone: BENCH_ONLY=export npm run bench (BENCH_EXPORT_CONVERSATIONS to change N).
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApiApp } from '@thumbline/api';
import { migrate, openClickHouse } from '@thumbline/clickhouse';
import type { Logger } from '@thumbline/core';
import { newToken, SettingsStore, type CredentialStore, type Keys, type RedisClient } from '@thumbline/redis';

const WS = 'bench-export';
const MB = 1024 * 1024;

export interface ExportFigures {
  export_conversations: number;
  export_bytes_mb: number;
  export_s: number;
  export_rows_per_s: number;
  export_rss_before_mb: number;
  export_rss_growth_mb: number;
  export_heap_growth_mb: number;
  /** Heap growth when a tenth of the rows had been read, to compare with the end. */
  export_heap_growth_at_10pct_mb: number;
}

export async function benchExport(
  deps: { redis: RedisClient; keys: Keys; store: CredentialStore; log: Logger },
  conversations = 1_000_000,
): Promise<ExportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-export-'));
  const ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'bench_export' });
  const server = serve({
    fetch: createApiApp({ ...deps, ch, settings: new SettingsStore(deps.redis, deps.keys) }).fetch,
    port: 0,
  });
  try {
    await migrate(ch);
    // Conversations over the last 20 days, a third rated, ids and reasons of realistic length.
    const end = Date.now() - 3_600_000;
    await ch.command(
      `INSERT INTO conversations (workspace_id, conversation_id, started_at, score, negative_reason, rated_at,
                                  thumbs_up, thumbs_down, version, updated_at, committed_at, widget_id, locale)
       SELECT '${WS}', concat('conv-', leftPad(toString(number), 12, '0')),
              fromUnixTimestamp64Milli(toInt64(${end} - (cityHash64(number) % (20 * 86400000))), 'UTC') AS t,
              if(number % 3 = 0, toUInt8(1 + number % 5), NULL),
              if(number % 3 = 0 AND number % 5 < 2, 'The size advice was wrong, I had to return it', NULL),
              if(number % 3 = 0, t, NULL), number % 4, number % 2, 1, t, t,
              ['default', 'bubble-de'][1 + number % 2], ['en-US', 'de-DE', 'fr-FR', 'es-ES'][1 + number % 4]
         FROM numbers(${conversations})`,
      {},
      { async_insert: 0, max_insert_threads: 2 },
    );
    const dt = newToken('dashboard');
    await deps.store.saveWorkspace({ id: WS, tz: 'UTC', allowed_origins: [] });
    await deps.store.addToken(dt, { workspace_id: WS, kind: 'dashboard' });
    const port = (server.address() as AddressInfo).port;

    global.gc?.();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    let heapAt10 = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 50);
    const t0 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/v1/conversations/export`, {
      headers: { authorization: `Bearer ${dt}` },
    });
    if (res.status !== 200) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
    let bytes = 0;
    let rows = -1; // the header
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (const b of value) if (b === 10) rows++;
      if (heapAt10 === 0 && rows >= conversations / 10) heapAt10 = peakHeap - before.heapUsed;
    }
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    if (rows !== conversations) throw new Error(`export: ${rows} rows, expected ${conversations}`);
    const mb = (n: number) => Math.round((n / MB) * 10) / 10;
    return {
      export_conversations: conversations,
      export_bytes_mb: mb(bytes),
      export_s: Math.round(seconds * 10) / 10,
      export_rows_per_s: Math.round(rows / seconds),
      export_rss_before_mb: mb(before.rss),
      export_rss_growth_mb: mb(peakRss - before.rss),
      export_heap_growth_mb: mb(peakHeap - before.heapUsed),
      export_heap_growth_at_10pct_mb: mb(heapAt10),
    };
  } finally {
    server.close();
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
