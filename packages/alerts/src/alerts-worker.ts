// The alerts part of the worker role: evaluations (after counted batches, debounced, plus a
// sweep) and webhook deliveries, each on its own BullMQ queue.
import { Queue, Worker, type Job } from 'bullmq';
import type { ClickHouse } from '@thumbline/clickhouse';
import type { Logger, Metrics } from '@thumbline/core';
import type { Keys, RedisClient } from '@thumbline/redis';
import { AlertStateStore } from './alert-state.store.ts';
import { DeliveryLog } from './delivery-log.store.ts';
import { evaluateWorkspace, type EvaluationDeps } from './evaluation.ts';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retry-schedule.ts';
import { RuleStore } from './rule.store.ts';
import { DEFAULT_DELIVERY_TIMEOUT_MS, deliveryBacklog, startDeliveryWorker, WebhookQueue } from './webhook-queue.ts';

export interface AlertsOptions {
  /** THUMBLINE_WEBHOOK_ALLOW_PRIVATE: deliver to loopback and private addresses too. */
  allowPrivate: boolean;
  /** Every workspace with rules is evaluated at least this often (ms), so windows slide past old feedback. */
  sweepMs?: number;
  /** A workspace is evaluated at most once per this (ms) however many batches count its feedback. */
  debounceMs?: number;
  /** Each webhook attempt must be answered within this (ms). */
  timeoutMs?: number;
  schedule?: RetrySchedule;
}

export interface AlertsDeps {
  connect: () => RedisClient;
  redis: RedisClient;
  keys: Keys;
  ch: ClickHouse;
  log: Logger;
  /** Webhook attempts are counted here by outcome, when given. */
  metrics?: Pick<Metrics, 'webhookAttempts'>;
}

export interface AlertsWorker {
  /** The batch hook: these workspaces had feedback counted; evaluate those with rules soon. */
  onCounted(workspaceIds: readonly string[]): Promise<void>;
  /** Queues an evaluation of `ws` in the next debounce slot. */
  schedule(ws: string): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_SWEEP_MS = 30_000;
export const DEFAULT_DEBOUNCE_MS = 1000;
const SWEEP = 'sweep';
const EVALUATE = 'evaluate';

export function createAlertsWorker(deps: AlertsDeps, opts: AlertsOptions): AlertsWorker {
  const sweepMs = opts.sweepMs ?? DEFAULT_SWEEP_MS;
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const schedule = opts.schedule ?? DEFAULT_RETRY_SCHEDULE;
  const rules = new RuleStore(deps.redis, deps.keys);
  const log = new DeliveryLog(deps.redis, deps.keys);
  const connections: RedisClient[] = [];
  const connect = () => {
    const c = deps.connect();
    connections.push(c);
    return c;
  };
  const webhooks = new WebhookQueue(connect(), deps.keys, log, schedule);
  const evaluations = new Queue<{ ws: string }>(deps.keys.alertQueues.evaluate, {
    connection: connect(),
    prefix: deps.keys.bull,
    defaultJobOptions: {
      removeOnComplete: true,
      removeOnFail: { count: 100 },
      attempts: 5,
      backoff: { type: 'fixed', delay: 1000 },
    },
  });
  const evalDeps: EvaluationDeps = {
    redis: deps.redis,
    keys: deps.keys,
    ch: deps.ch,
    rules,
    states: new AlertStateStore(deps.redis, deps.keys),
    webhooks,
  };
  let workers: Worker[] = [];

  // Debounce: every request for `ws` within one slot becomes the one job that runs at the
  // slot's end (its id names the slot), so it sees every batch counted before it.
  const scheduleAt = async (ws: string, now: number) => {
    const slot = Math.floor(now / debounceMs) + 1;
    await evaluations.add(
      EVALUATE,
      { ws },
      { jobId: `eval-${slot}-${ws}`, delay: Math.max(0, slot * debounceMs - now) },
    );
  };

  const processJob = async (job: Job<{ ws: string }>) => {
    if (job.name === SWEEP) {
      const now = Date.now();
      for await (const page of rules.workspaces()) for (const ws of page) await scheduleAt(ws, now);
      return;
    }
    const res = await evaluateWorkspace(evalDeps, job.data.ws);
    // Another evaluation holds the workspace: it may have read before this job's batches; go again after it.
    if (res === 'busy') await scheduleAt(job.data.ws, Date.now());
    else if (res.length > 0)
      deps.log.info({ ws: job.data.ws, transitions: res.map((t) => [t.ruleId, t.type]) }, 'alert transitions');
  };

  return {
    async onCounted(workspaceIds) {
      try {
        const now = Date.now();
        for (const ws of await rules.withRules(workspaceIds)) await scheduleAt(ws, now);
      } catch (err) {
        // Never fails the batch: the sweep evaluates every workspace with rules anyway.
        deps.log.warn({ err }, 'could not schedule alert evaluations; the sweep will');
      }
    },
    schedule: (ws) => scheduleAt(ws, Date.now()),
    async start() {
      const evalWorker = new Worker<{ ws: string }>(deps.keys.alertQueues.evaluate, processJob, {
        connection: connect(),
        prefix: deps.keys.bull,
        concurrency: 4,
      });
      evalWorker.on('error', (err) => deps.log.error({ err }, 'alert evaluation worker error'));
      evalWorker.on('failed', (job, err) => deps.log.warn({ err, jobId: job?.id }, 'alert evaluation failed'));
      const deliveryWorker = startDeliveryWorker(connect(), deps.keys, {
        rules,
        log,
        backlog: deliveryBacklog(deps.redis, deps.keys, schedule),
        logger: deps.log,
        onAttempt: (outcome) => deps.metrics?.webhookAttempts.inc({ outcome }),
        options: {
          allowPrivate: opts.allowPrivate,
          timeoutMs: opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
          schedule,
        },
      });
      workers = [evalWorker, deliveryWorker];
      // One scheduler shared by every worker process (upserted by id): one sweep per period.
      await evaluations.upsertJobScheduler('alerts-sweep', { every: sweepMs }, { name: SWEEP, data: { ws: '' } });
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await evaluations.close();
      await webhooks.close();
      for (const c of connections) c.disconnect();
    },
  };
}

/** The workspaces a committed batch counted feedback for (its signed changes), each once. */
export function countedWorkspaces(changes: readonly { workspace_id: string }[]): string[] {
  return [...new Set(changes.map((c) => c.workspace_id))];
}
