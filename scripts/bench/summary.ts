// The bench's summary table: each figure next to its same-run baseline, and, where an issue set
// one, its target and whether this run met it.

export interface Target {
  text: string;
  met: boolean;
}

export interface Row {
  name: string;
  /** The figure against its baseline (a ratio), or the figure itself. */
  value: string;
  target?: Target;
  detail: string;
}

const ratio = (a = 0, b = 0) => (b > 0 ? (a / b).toFixed(2) : 'n/a');
const atLeast = (x: number | undefined, min: number, text: string): Target => ({
  text,
  met: x !== undefined && Number.isFinite(x) && x >= min,
});
const atMost = (x: number | undefined, max: number, text: string): Target => ({
  text,
  met: x !== undefined && Number.isFinite(x) && x <= max,
});

/** The rows of the sections that ran, from their figures. */
export function summaryRows(f: Record<string, number>, ran: (section: string) => boolean, rounds: number): Row[] {
  const rows: Row[] = [];
  if (ran('ingest')) {
    rows.push(
      {
        name: 'single-event ingest role vs bare Hono',
        value: (f.ingest_single_ratio_median ?? 0).toFixed(2),
        target: atLeast(f.ingest_single_ratio_median, 0.8, '≥ 0.8×'),
        detail:
          `${f.ingest_single_req_s} req/s vs ${f.bare_hono_req_s} req/s (medians of ${rounds} alternating rounds); ` +
          `cores: Hono ${f.bare_hono_server_cores} + load ${f.bare_hono_load_generator_cores}, ` +
          `ingest+Redis ${f.ingest_single_server_and_redis_cores} + load ${f.ingest_single_load_generator_cores}`,
      },
      {
        name: 'single-event ingest, npm start vs bare Hono',
        value: (f.allinone_single_ratio_median ?? 0).toFixed(2),
        target: atLeast(f.allinone_single_ratio_median, 0.7, '≥ 0.7×'),
        detail:
          `${f.allinone_single_req_s} req/s (p99 ${f.allinone_single_p99_ms} ms) vs ${f.bare_hono_req_s} req/s, ` +
          `worker draining; cores: main thread ${f.allinone_single_main_thread_cores}, ` +
          `busiest other node thread (HTTP) ${f.allinone_single_http_thread_cores}, ` +
          `other threads ${f.allinone_single_other_threads_cores}, Redis ${f.allinone_single_redis_cores}, ` +
          `load ${f.allinone_single_load_generator_cores}`,
      },
      {
        name: 'batch ingest (100/req) vs raw XADD',
        value: ratio(f.ingest_batch100_events_s, f.raw_xadd_per_s),
        target: atLeast(
          f.ingest_batch100_events_s !== undefined && f.raw_xadd_per_s
            ? f.ingest_batch100_events_s / f.raw_xadd_per_s
            : undefined,
          1.3,
          '≥ 1.3×',
        ),
        detail: `${f.ingest_batch100_events_s} events/s vs ${f.raw_xadd_per_s} XADD/s; ingest RSS ${f.ingest_rss_mb} MB`,
      },
    );
  }
  if (ran('tracing')) {
    rows.push({
      name: 'tracing hooks, tracing off',
      value: '',
      detail:
        `${f.tracing_off_added_ns_per_request} ns per ingest request (2 traced + 1 traceparent: ` +
        `${f.tracing_off_hooked_call_ns} vs ${f.tracing_off_bare_call_ns} ns per call); ` +
        `ingest role ${f.ingest_tracing_off_req_s} req/s`,
    });
  }
  if (ran('live') || ran('sustained')) {
    rows.push({ name: 'npm start → ready', value: '', detail: `${f.start_to_ready_ms} ms (empty data dir)` });
  }
  if (ran('sustained')) {
    const r = (f.sustained_http_to_counted_events_s ?? 0) / (f.raw_clickhouse_insert_events_s || Infinity);
    rows.push({
      name: 'sustained HTTP → counted vs raw CH write',
      value: ratio(f.sustained_http_to_counted_events_s, f.raw_clickhouse_insert_events_s),
      target: {
        text: '≥ 0.8×, ≥ 40k/s',
        met: r >= 0.8 && (f.sustained_http_to_counted_events_s ?? 0) >= 40_000,
      },
      detail:
        `${f.sustained_http_to_counted_events_s} events/s vs ${f.raw_clickhouse_insert_events_s} events/s written ` +
        `straight to ClickHouse; app RSS ${f.app_rss_mb} MB; ${f.sustained_non2xx} non-2xx`,
    });
  }
  if (ran('live')) {
    for (const rate of [1000, 5000]) {
      rows.push({
        name: `202 → delta at ${rate / 1000}k events/s, 500 sockets`,
        value: '',
        ...(rate === 5000 ? { target: atMost(f[`live_${rate}_p99_ms`], 250, 'p99 ≤ 250 ms') } : {}),
        detail: `p50 ${f[`live_${rate}_p50_ms`]} ms, p99 ${f[`live_${rate}_p99_ms`]} ms`,
      });
    }
  }
  if (ran('queries')) {
    const m = `${((f.events ?? 0) / 1e6).toFixed(0)}M events`;
    rows.push(
      {
        name: `overview p95 vs raw scan (${m})`,
        value: ratio(f.overview_p95_ms, f.overview_raw_scan_p95_ms),
        target: atMost(f.overview_p95_ms, 50, 'p95 ≤ 50 ms'),
        detail: `${f.overview_p50_ms}/${f.overview_p95_ms} ms p50/p95 vs ${f.overview_raw_scan_p50_ms}/${f.overview_raw_scan_p95_ms} ms`,
      },
      {
        name: `inbox page p95 vs raw scan (${m})`,
        value: ratio(f.inbox_p95_ms, f.inbox_raw_scan_p95_ms),
        detail: `${f.inbox_p50_ms}/${f.inbox_p95_ms} ms p50/p95 vs ${f.inbox_raw_scan_p50_ms}/${f.inbox_raw_scan_p95_ms} ms`,
      },
    );
  }
  if (ran('search')) {
    rows.push({
      name: `inbox search p95 vs text scan (${((f.search_conversations ?? 0) / 1e6).toFixed(1)}M conversations)`,
      value: ratio(f.search_p95_ms, f.search_raw_scan_p95_ms),
      target: atMost(f.search_p95_ms, 300, 'p95 ≤ 300 ms'),
      detail:
        `${f.search_p50_ms}/${f.search_p95_ms} ms p50/p95 (max ${f.search_max_ms}) over rare, common, two-word and ` +
        `filtered searches vs ${f.search_raw_scan_p50_ms}/${f.search_raw_scan_p95_ms} ms scanning the texts`,
    });
  }
  if (ran('scaling')) {
    rows.push({
      name: 'state commits, 2 / 4 workers vs 1 (cluster)',
      value: `${f.state_commit_scaling_2w} / ${f.state_commit_scaling_4w}`,
      detail:
        `${f.state_commit_cluster_1w_events_s} / ${f.state_commit_cluster_2w_events_s} / ` +
        `${f.state_commit_cluster_4w_events_s} events/s with 1 / 2 / 4 worker processes on one workspace ` +
        '(3-master Redis Cluster on this machine, Redis side only)',
    });
  }
  if (ran('memory')) {
    const events = `${((f.memory_events ?? 0) / 1e6).toFixed(2)}M events`;
    rows.push(
      {
        name: `Redis B/event after ${f.memory_hot_window_s} s hot window`,
        value: `${f.redis_bytes_per_event_after_window}`,
        target: atMost(f.redis_bytes_per_event_after_window, 4, '≤ 4 B'),
        detail:
          `used_memory after − before over ${events}${(f.memory_events ?? 0) < 1e6 ? ' (fewer than the 1M asked: the time budget ran out)' : ''}, read 2 × ${f.memory_hot_window_s} s + 15 s after all were ` +
          `counted; peak ${f.redis_bytes_per_event_peak} B/event, end of load ${f.redis_bytes_per_event_end_of_load}; ` +
          `sent ${f.memory_send_events_s} events/s, counted ${f.memory_counted_events_s} events/s`,
      },
      {
        name: 'Redis B/event, default window, end of load',
        value: `${f.redis_bytes_per_event_default_window_end_of_load}`,
        detail:
          `the "before" comparison: the same traffic without THUMBLINE_HOT_WINDOW_SECONDS, read once all ` +
          `${f.memory_default_window_events} events were counted (no wait: the default window is far longer); ` +
          `peak ${f.redis_bytes_per_event_default_window_peak} B/event`,
      },
    );
  }
  if (ran('export')) {
    rows.push({
      name: `export memory, ${f.export_conversations} conversations`,
      value: `${f.export_heap_growth_mb} MB`,
      detail:
        `heap growth (${f.export_heap_growth_at_10pct_mb} MB after 10 % of the rows), RSS +${f.export_rss_growth_mb} MB ` +
        `over ${f.export_rss_before_mb} MB; ${f.export_bytes_mb} MB of CSV in ${f.export_s} s (${f.export_rows_per_s} rows/s)`,
    });
  }
  return rows;
}

export function formatSummary(rows: Row[]): string {
  return rows
    .map((r) => {
      const target = r.target ? `${r.target.text.padEnd(16)} ${r.target.met ? 'met    ' : 'NOT met'}` : ''.padEnd(24);
      return `  ${r.name.padEnd(44)} ${r.value.padStart(6)}   ${target}   ${r.detail}\n`;
    })
    .join('');
}

/** Where the cores went during a metered load (CpuMeter.since()), one line per process. */
export function formatCores(usage: {
  processes: Record<string, { cores: number; threads: Record<string, number> }>;
}): string {
  return Object.entries(usage.processes)
    .map(([label, p]) => {
      const threads = Object.entries(p.threads)
        .map(([name, cores]) => `${name} ${cores.toFixed(2)}`)
        .join(', ');
      return `  ${label.padEnd(16)} ${p.cores.toFixed(2)}   ${threads}\n`;
    })
    .join('');
}

/** The largest key groups Redis held (memory.ts keyGroups), in MB and bytes per event. */
export function formatKeyGroups(
  groups: Record<string, { keys: number; bytes: number }>,
  events: number,
  top = 6,
): string {
  return Object.entries(groups)
    .slice(0, top)
    .map(
      ([group, g]) =>
        `  ${group.padEnd(44)} ${(g.bytes / 1024 ** 2).toFixed(1).padStart(7)} MB  ` +
        `${(g.bytes / Math.max(1, events)).toFixed(1).padStart(6)} B/event  (${g.keys} keys)\n`,
    )
    .join('');
}
