import { Queue, Worker, type Job } from 'bullmq';
import { randomBytes } from 'node:crypto';
import {
  ArchiveSchedule,
  clickHouseArchive,
  entryTime,
  firstEntryId,
  type Archive,
  type BatchOutcome,
  type StateOptions,
} from '@thumbline/batch';
import type { ClickHouse } from '@thumbline/clickhouse';
import { batchTrace, redactedError, type Logger, type Metrics } from '@thumbline/core';
import { countedWorkspaces, createAlertsWorker, type AlertsOptions, type AlertsWorker } from '@thumbline/alerts';
import {
  DEFAULT_LEASES,
  PartitionLeases,
  type Keys,
  type LeaseOptions,
  type LiveBudget,
  type RedisClient,
} from '@thumbline/redis';
import type { Services } from '@thumbline/runtime';
import { insertBatch, QUEUE, type InsertBatchData } from './jobs/events.insert-batch.ts';
import { settleDeadLetter } from './dead-letters.ts';
import { DEFAULT_PUMP_OPTIONS, Pump, type PumpOptions } from './pump.ts';
import { QueueAdopter } from './queue-adopter.ts';
import { RetentionSweep } from './retention-sweep.ts';
import { startErasureWorker } from './jobs/erasures.erase.ts';

export { insertBatch, JOB, QUEUE, type InsertBatchData } from './jobs/events.insert-batch.ts';
export { QueueAdopter } from './queue-adopter.ts';
export { Pump, slices, sliceJobId, DEFAULT_PUMP_OPTIONS, type PumpOptions } from './pump.ts';
export { deadLetters, replayDeadLetters, settleDeadLetter, type DeadLetter } from './dead-letters.ts';
export { PinCheck, PIN_CHECK_AFTER_MS } from './pin-check.ts';
export { RetentionSweep } from './retention-sweep.ts';
export { runErasure, startErasureWorker, type ErasureDeps } from './jobs/erasures.erase.ts';

export interface WorkerDeps {
  /** Connection factory: BullMQ and the pump each need their own (blocking) connections. */
  connect: () => RedisClient;
  /** Shared non-blocking connection for state scripts. */
  redis: RedisClient;
  keys: Keys;
  ch: ClickHouse;
  log: Logger;
  metrics: Metrics;
  concurrency: number;
  state: StateOptions;
  /** Bytes the live buffers may hold (default: packages/redis DEFAULT_LIVE_BUDGET). */
  live?: LiveBudget;
  /** `consumer` names this host; each process adds its own suffix (consumer names are unique per process). */
  pump: Partial<PumpOptions> & { consumer: string };
  /** Where closed state generations go and what left Redis is found (ADR 0010); default: ClickHouse. */
  archive?: Archive;
  /** Partition leases (ADR 0009). */
  leases?: LeaseOptions;
  /** Called after a batch is committed to ClickHouse. */
  onCommitted?: (outcome: BatchOutcome) => void | Promise<void>;
  /** Attempts per batch before it is dead-lettered, and the backoff between them. */
  retry?: RetryPolicy;
  /** Alert evaluation and webhook delivery (packages/alerts); none when absent. */
  alerts?: AlertsOptions;
  /** Days dead events and delivery records are kept (THUMBLINE_DEAD_RETENTION_DAYS; default 30). */
  deadRetentionDays?: number;
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/** About 8 hours of retries (doubling from 250 ms, at most 30 s apart) before a dead letter. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 1000, baseMs: 250, maxMs: 30_000 };

export interface WorkerRole {
  /** This process's consumer name (unique per process): names its queue and leases. */
  readonly consumer: string;
  /** Partitions this worker pumps now. */
  owned(): number[];
  queue: Queue<InsertBatchData>;
  /** The alerts part, when configured. */
  alerts: AlertsWorker | null;
  start(): void;
  /**
   * Holds every ClickHouse write of this worker (batches, archiving, erasures) once those in
   * flight are done, for a backup whose ClickHouse and Redis halves must agree; the pump keeps
   * queueing what ingest accepts (Redis only). `resume` undoes it.
   */
  pause(): Promise<void>;
  resume(): void;
  /** Stops taking work and waits for in-flight batches. */
  close(): Promise<void>;
}

/** The worker's dependencies from a process's services and environment: one place for `npm start` and the role. */
export function workerDeps(s: Services): WorkerDeps {
  const { env } = s;
  return {
    ...s,
    concurrency: env.THUMBLINE_WORKER_CONCURRENCY,
    retry: { ...DEFAULT_RETRY, attempts: env.THUMBLINE_BATCH_ATTEMPTS },
    alerts: { allowPrivate: env.THUMBLINE_WEBHOOK_ALLOW_PRIVATE },
    deadRetentionDays: env.THUMBLINE_DEAD_RETENTION_DAYS,
    pump: {
      consumer: s.consumer,
      maxEvents: env.THUMBLINE_BATCH_MAX_EVENTS,
      groups: env.THUMBLINE_WORKER_CONCURRENCY,
      lingerMs: env.THUMBLINE_BATCH_LINGER_MS,
    },
  };
}

/** The batch queue of a worker process (BullMQ queue names: no ':'). */
export function ownQueueName(consumer: string): string {
  return `${QUEUE}-${consumer.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Retry delay: doubling from `baseMs`, at most `maxMs`. */
export function retryDelay(attemptsMade: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  return Math.min(policy.baseMs * 2 ** Math.max(0, attemptsMade - 1), policy.maxMs);
}

/** The worker role: the pump (stream → jobs) and the BullMQ processor (jobs → ClickHouse). */
export function createWorker(deps: WorkerDeps): WorkerRole {
  const prefix = deps.keys.bull;
  const retry = deps.retry ?? DEFAULT_RETRY;
  // Unique per process: two workers on one host (or a restart) never share pending entries.
  const consumer = `${deps.pump.consumer}-${process.pid}-${randomBytes(3).toString('hex')}`;
  // This worker's own queue: the batches of the partitions it holds, processed by it alone
  // (ADR 0009); a gone worker's queue is taken over by a live one (QueueAdopter).
  const ownQueue = ownQueueName(consumer);
  const leaseOptions = deps.leases ?? DEFAULT_LEASES;
  const queueConnection = deps.connect();
  const queue = new Queue<InsertBatchData>(ownQueue, {
    connection: queueConnection,
    prefix,
    defaultJobOptions: {
      // Retried with capped backoff; what still fails stays in the failed set, the dead
      // letters (see dead-letters.ts and `npm run thumbline -- dead-letters`).
      attempts: retry.attempts,
      backoff: { type: 'capped' },
      // A completed job holds its batch (~1 MB at 5000 events): keep only the last few. A
      // slice re-queued after its job is gone is resolved again and finds every event seen.
      removeOnComplete: { count: 50 },
      removeOnFail: { age: 30 * 86400 },
    },
  });
  const pumpConnection = deps.connect();
  const leases = new PartitionLeases(deps.redis, deps.keys, consumer, leaseOptions, (change) =>
    deps.metrics.leaseChanges.inc({ change }),
  );
  // The state's archive (ADR 0010): closed generations go to ClickHouse.
  const archive = deps.archive ?? clickHouseArchive(deps.redis, deps.ch, deps.state);
  const pump = new Pump(
    pumpConnection,
    deps.keys,
    queue,
    leases,
    { ...DEFAULT_PUMP_OPTIONS, ...deps.pump, consumer },
    deps.log,
    deps.metrics,
  );
  // Closed generations of the partitions this worker holds go to the archive (ADR 0010).
  const archiving = new ArchiveSchedule(
    archive,
    () => leases.owned().map((p) => deps.keys.partition(p)),
    (err) => deps.log.warn({ err }, 'archiving closed state generations failed; retrying'),
    deps.pump.maintenanceMs ?? DEFAULT_PUMP_OPTIONS.maintenanceMs,
  );
  const retention = new RetentionSweep(deps, deps.deadRetentionDays ?? 30);
  let worker: Worker<InsertBatchData> | null = null;
  let erasures: Worker | null = null;
  const erasureConnection = deps.connect();
  const workerConnection = deps.connect();
  const alerts = deps.alerts ? createAlertsWorker(deps, deps.alerts) : null;

  // A failed attempt's error is kept by BullMQ (failedReason, stacktrace: a dead letter's for
  // 30 days) and logged: it keeps ClickHouse's code and wording, never a value it quoted from
  // the batch's rows (packages/core redact.ts, docs/operations.md "Erasure").
  const processJob = async (job: Job<InsertBatchData>) => {
    try {
      return await runJob(job);
    } catch (err) {
      throw redactedError(err);
    }
  };
  const runJob = async (job: Job<InsertBatchData>) => {
    const started = performance.now();
    const res = await batchTrace({ 'thumbline.batch': String(job.id) }, () =>
      insertBatch({ ...deps, archive }, job.id as string, job.data),
    );
    deps.metrics.insertSeconds.observe((performance.now() - started) / 1000);
    deps.metrics.batchEvents.observe(res.events);
    if (res.dead > 0) deps.metrics.deadEvents.inc(res.dead);
    for (const [stage, seconds] of Object.entries(res.seconds))
      deps.metrics.batchStageSeconds.observe({ stage }, seconds);
    const first = firstEntryId(job.data);
    if (first) deps.metrics.committedLagSeconds.observe((Date.now() - entryTime(first)) / 1000);
    await deps.onCommitted?.(res);
    await alerts?.onCounted(countedWorkspaces(res.changes));
    return { events: res.events, fresh: res.fresh.length };
  };

  /** Every batch worker of this process (its own queue's and adopted ones), for pause(). */
  const batchWorkers = new Set<Worker<InsertBatchData>>();
  let paused = false;
  const startWorker = (name: string, connection: RedisClient, concurrency: number) => {
    const w = new Worker<InsertBatchData>(name, processJob, {
      connection,
      prefix,
      concurrency,
      // A worker killed mid-batch leaves its job locked; it is redelivered once the lock
      // lapses (≤ lockDuration + stalledInterval), by whoever processes that queue then.
      // Stalling never fails a job: the retried batch is idempotent.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 1_000_000,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade, retry) },
    });
    w.on('failed', (job, err) => {
      deps.metrics.batchFailures.inc();
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        deps.metrics.deadLetters.inc();
        deps.log.error(
          { err, jobId: job.id, attempts: job.attemptsMade },
          'batch dead-lettered after its last attempt',
        );
        // Should this fail (or the process die first), the pump's pin check settles it later.
        settleDeadLetter(deps, job).catch((e: unknown) =>
          deps.log.warn({ err: e, jobId: job.id }, 'dead letter not yet copied out of its streams'),
        );
      } else {
        deps.log.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'batch failed; will retry');
      }
    });
    w.on('error', (err) => deps.log.error({ err }, 'worker error'));
    w.on('closed', () => batchWorkers.delete(w));
    batchWorkers.add(w);
    if (paused) void w.pause();
    return w;
  };
  const adopter = new QueueAdopter({
    redis: deps.redis,
    connect: deps.connect,
    keys: deps.keys,
    log: deps.log,
    ownQueue,
    owner: consumer,
    aliveWithinMs: leaseOptions.ttlMs,
    startWorker: (name, connection) => startWorker(name, connection, 1),
  });

  return {
    consumer,
    owned: () => leases.owned(),
    queue,
    alerts,
    start() {
      worker = startWorker(ownQueue, workerConnection, deps.concurrency);
      // Alive first, then registered: a queue whose owner has no heartbeat is taken over.
      void deps.redis
        .zadd(deps.keys.workers, Date.now(), consumer)
        .then(() => deps.redis.hset(deps.keys.queues, ownQueue, consumer))
        .catch((err: unknown) => deps.log.error({ err }, 'could not register the batch queue'));
      leases.start();
      pump.start();
      archiving.start();
      retention.start();
      erasures = startErasureWorker(erasureConnection, deps);
      adopter.start(Math.max(250, Math.round(leaseOptions.renewMs)));
      alerts?.start().catch((err: unknown) => deps.log.error({ err }, 'could not start alerts'));
    },
    async pause() {
      paused = true;
      await archiving.stop();
      // BullMQ's pause waits for the jobs in progress.
      await Promise.all([...batchWorkers, ...(erasures ? [erasures] : [])].map((w) => w.pause()));
    },
    resume() {
      paused = false;
      for (const w of batchWorkers) w.resume();
      erasures?.resume();
      archiving.start();
    },
    async close() {
      await pump.stop();
      await archiving.stop();
      await retention.stop();
      await erasures?.close();
      await adopter.stop();
      // Given back at once: the other workers take these partitions without waiting for the ttl
      // (and what is left in this worker's queue once it stops).
      await leases.stop();
      await worker?.close();
      await alerts?.close();
      await queue.close();
      pumpConnection.disconnect();
      workerConnection.disconnect();
      queueConnection.disconnect();
      erasureConnection.disconnect();
    },
  };
}
