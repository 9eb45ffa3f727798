import { getHeapStatistics } from 'node:v8';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics. One instance per process (roles composed into one
 * process share it), or per thread: then only one of them collects the process's own
 * figures (`process: false` on the others), and /metrics merges them.
 */
export function createMetrics(options: { process?: boolean } = {}) {
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
    streamLength: new Gauge({
      name: 'thumbline_stream_length',
      help: 'Entries in the partition streams this worker pumps (not yet trimmed)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
