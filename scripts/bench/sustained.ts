// Sustained HTTP → counted: every role in one process, flooded with 100-event requests,
// timed until the overview counts every accepted event; with where the cores went and,
// as its baseline, the same rows inserted straight into ClickHouse.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openClickHouse, writeChanges, writeConversations, writeEvents } from '@thumbline/clickhouse';
import type { StreamEntry } from '@thumbline/redis';
import { batchEvents, batchRows } from '@thumbline/batch';
import type { Spawned } from '../../tests/support/spawn.ts';
import { thumbsUpToday, waitForCount } from './app-counts.ts';
import { drive, thumbEvent } from './load.ts';
import { childrenOf, CpuMeter, peakRss, processName } from './process-usage.ts';

export async function benchSustained(
  app: { proc: Spawned; url: string },
  creds: Record<string, string>,
): Promise<{ figures: Record<string, number>; cpu: unknown }> {
  const counted = () => thumbsUpToday(app.url, creds.dashboard_token as string);
  const already = await counted();
  const pid = app.proc.proc.pid as number;
  const redisPid = childrenOf(pid).find((child) => processName(child) === 'redis-server');
  const meter = new CpuMeter({ app: pid, ...(redisPid ? { redis: redisPid } : {}), 'load generator': process.pid });
  const t1 = performance.now();
  const { value: load, rssMb } = await peakRss(pid, drive(app.url, creds.secret_key as string, 100));
  const sent = load.ok * 100;
  await waitForCount(counted, already + sent);
  const seconds = (performance.now() - t1) / 1000;
  return {
    figures: {
      sustained_http_to_counted_events_s: Math.round(sent / seconds),
      sustained_events: sent,
      sustained_non2xx: load.non2xx,
      app_rss_mb: rssMb,
    },
    cpu: meter.since(),
  };
}

/**
 * Baseline: the rows of 5000-event batches like the sustained run's (a thumb per new
 * conversation: one event row, one signed change, one conversation version each),
 * written with the same client and dedup tokens into a fresh embedded ClickHouse.
 */
export async function rawClickHouseInsert(batches = 20, perBatch = 5000): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'thumbline-bench-raw-'));
  const ch = await openClickHouse({ kind: 'embedded', path: dir, database: 'raw' });
  try {
    await migrate(ch);
    let elapsed = 0;
    for (let b = 0; b < batches; b++) {
      const now = Date.now();
      const entries: StreamEntry[] = [];
      for (let i = 0; i < perBatch / 100; i++) {
        const events = Array.from({ length: 100 }, () => thumbEvent(now));
        entries.push({
          partition: 0,
          id: `${now}-${b * 1000 + i}`,
          workspaceId: 'bench',
          count: 100,
          events: JSON.stringify(events),
        });
      }
      const events = batchEvents(entries);
      const rows = batchRows(events, {
        fresh: events.map((_, i) => i),
        changes: events.map(({ event: e }) => ({
          workspace_id: 'bench',
          bucket: Math.floor(now / 900_000) * 900,
          conversation_id: e.conversation_id,
          message_id: 'message_id' in e ? e.message_id : '',
          event_id: e.event_id,
          thumbs_up: 1,
          thumbs_down: 0,
          csat_sum: 0,
          csat_count: 0,
          widget_id: '',
          locale: '',
          prompted: 0,
          responded: 0,
        })),
        conversations: events.map(({ event: e }) => ({
          workspace_id: 'bench',
          conversation_id: e.conversation_id,
          started: now,
          score: null,
          reason: '',
          rated: null,
          thumbs_up: 1,
          thumbs_down: 0,
          version: 1,
          widget_id: '',
          locale: '',
        })),
      });
      const t0 = performance.now();
      // The worker's own write path: events first, then what dashboards count.
      await writeEvents(ch, `raw-${b}`, rows.events);
      await writeConversations(ch, `raw-${b}`, rows.conversations, Date.now());
      await writeChanges(ch, `raw-${b}`, rows.changes);
      elapsed += performance.now() - t0;
    }
    return { raw_clickhouse_insert_events_s: Math.round((batches * perBatch) / (elapsed / 1000)) };
  } finally {
    await ch.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
