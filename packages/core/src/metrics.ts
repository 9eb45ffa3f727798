import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics. One instance per process (roles composed into one
 * process share it), or per thread: then only one of them collects the process's own
 * figures (`process: false` on the others), and /metrics merges them.
 */
/** Redis's memory as ingest's guard last read it (packages/redis backlog-guard.ts). */
export interface RedisMemoryReading {
  usedMemory: number;
  maxMemory: number;
  /** Bytes at which ingest stops taking events (0: no limit). */
  ingestLimit: number;
}

export function createMetrics(options: { process?: boolean; redisMemory?: () => RedisMemoryReading | null } = {}) {
  const registry = new Registry();
  if (options.process !== false) collectDefaultMetrics({ register: registry, prefix: 'thumbline_' });
  else {
    // A thread's JS heap is its own: it reports it under the process's names, and merged
    // /metrics sums the threads' parts into the process's heap.
    new Gauge({
      name: 'thumbline_nodejs_heap_size_used_bytes',
      help: 'Process heap size used from Node.js in bytes.',
      registers: [registry],
      collect() {
        this.set(getHeapStatistics().used_heap_size);
      },
    });
    new Gauge({
      name: 'thumbline_nodejs_heap_size_total_bytes',
      help: 'Process heap size from Node.js in bytes.',
      registers: [registry],
      collect() {
        this.set(getHeapStatistics().total_heap_size);
      },
    });
  }
  return {
    registry,
    ingestAccepted: new Counter({
      name: 'thumbline_ingest_accepted_total',
      help: 'Events accepted by ingest (durably queued)',
      registers: [registry],
    }),
    ingestRejected: new Counter({
      name: 'thumbline_ingest_rejected_total',
      help: 'Events or requests rejected by ingest, by code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    batchEvents: new Histogram({
      name: 'thumbline_batch_events',
      help: 'Events per inserted batch',
      buckets: [1, 10, 50, 100, 500, 1000, 5000, 20000],
      registers: [registry],
    }),
    insertSeconds: new Histogram({
      name: 'thumbline_batch_insert_seconds',
      help: 'Time to resolve state and insert one batch into ClickHouse',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    batchStageSeconds: new Histogram({
      name: 'thumbline_batch_stage_seconds',
      help: 'Time one batch spends in each stage: state (Redis script), clickhouse (inserts), publish (live delta)',
      labelNames: ['stage'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    committedLagSeconds: new Histogram({
      name: 'thumbline_accepted_to_committed_seconds',
      help: 'Time from 202 (stream entry) to the batch committed in ClickHouse',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    batchFailures: new Counter({
      name: 'thumbline_batch_failures_total',
      help: 'Batch attempts that failed (and will be retried)',
      registers: [registry],
    }),
    liveSockets: new Gauge({
      name: 'thumbline_live_sockets',
      help: 'Dashboards connected to this gateway node',
      registers: [registry],
    }),
    liveDeltas: new Counter({
      name: 'thumbline_live_deltas_total',
      help: 'Deltas this gateway node forwarded to its rooms',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'thumbline_dead_letters_total',
      help: 'Batches that failed their last attempt and wait in the dead-letter set',
      registers: [registry],
    }),
    deadEvents: new Counter({
      name: 'thumbline_dead_events_total',
      help: 'Events ClickHouse refused for their data: left out of their batch and kept as dead events',
      registers: [registry],
    }),
    streamLagSeconds: new Gauge({
      name: 'thumbline_stream_lag_seconds',
      help: 'Age of the oldest entry still in the partition streams this worker pumps (not yet trimmed after processing)',
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'thumbline_http_request_duration_seconds',
      help: 'HTTP requests by area (ingest, api, sql, ops, dashboard) and status, with their duration',
      labelNames: ['area', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    leaseChanges: zeroed(
      new Counter({
        name: 'thumbline_partition_lease_changes_total',
        help: 'Partition leases this worker took (acquired), gave back (released) or found taken by another (lost)',
        labelNames: ['change'] as const,
        registers: [registry],
      }),
      'change',
      ['acquired', 'released', 'lost'],
    ),
    webhookAttempts: zeroed(
      new Counter({
        name: 'thumbline_webhook_attempts_total',
        help: 'Webhook delivery attempts by outcome: delivered, retrying (failed, will retry), failed (last attempt failed)',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      'outcome',
      ['delivered', 'retrying', 'failed'],
    ),
    ...redisMemoryGauges(registry, options.redisMemory),
    streamLength: new Gauge({
      name: 'thumbline_stream_length',
      help: 'Entries in the partition streams this worker pumps (not yet trimmed)',
      registers: [registry],
    }),
  };
}

/**
 * A counter with each of its label's values exported from 0, so an alert's `increase()` sees
 * the first one counted (a series that appears at 1 has no increase).
 */
function zeroed<L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> {
  for (const v of values) counter.inc({ [label]: v } as Partial<Record<L, string>>, 0);
  return counter;
}

/**
 * Redis's used and maximum memory and ingest's limit, read at scrape time from the guard's
 * last poll. Threads of one process each poll the same Redis: merged /metrics takes the max.
 */
function redisMemoryGauges(registry: Registry, read: (() => RedisMemoryReading | null) | undefined) {
  const gauge = (name: string, help: string, pick: (r: RedisMemoryReading) => number) =>
    new Gauge({
      name,
      help,
      aggregator: 'max',
      registers: [registry],
      collect() {
        const r = read?.();
        if (r) this.set(pick(r));
      },
    });
  return {
    redisUsedMemory: gauge(
      'thumbline_redis_used_memory_bytes',
      'Redis used_memory as last polled',
      (r) => r.usedMemory,
    ),
    redisMaxMemory: gauge('thumbline_redis_maxmemory_bytes', 'Redis maxmemory (0: none)', (r) => r.maxMemory),
    ingestMemoryLimit: gauge(
      'thumbline_ingest_memory_limit_bytes',
      'Redis used_memory at which ingest answers 503 (its share of maxmemory; 0: no limit)',
      (r) => r.ingestLimit,
    ),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
