// Webhook deliveries as BullMQ jobs: one job per transition (or test), retried with backoff
// for at least 24 h (tests: a few times), each attempt recorded in the workspace's delivery
// log. Shared fairly: a job's BullMQ priority is its place in its workspace's queue, and each
// workspace may have a bounded number queued (docs/alerts.md, "Fair shares").
import { Queue, Worker, type Job } from 'bullmq';
import { AppError, type Logger } from '@thumbline/core';
import type { AlertPayload, Delivery } from '@thumbline/events';
import type { Keys, RedisClient } from '@thumbline/redis';
import { DeliveryBacklog, MAX_QUEUED_DELIVERIES } from './delivery-backlog.store.ts';
import type { DeliveryLog } from './delivery-log.store.ts';
import { deliveryBody } from './payload.ts';
import {
  deliveryAttempts,
  retryDelayMs,
  retryDelays,
  DEFAULT_RETRY_SCHEDULE,
  type RetrySchedule,
} from './retry-schedule.ts';
import type { RuleStore, StoredRule } from './rule.store.ts';
import { signBody } from './signature.ts';
import { postWebhook } from './webhook-post.ts';

/** One delivery: the exact body every attempt sends (so the signature and event id never change). */
export interface DeliveryJob {
  workspaceId: string;
  ruleId: string;
  deliveryId: string;
  url: string;
  body: string;
}

export interface DeliveryOptions {
  allowPrivate: boolean;
  /** Each attempt must be answered within this (ms). */
  timeoutMs: number;
  schedule: RetrySchedule;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 5000;

/** Attempts of an `alert.test` delivery: someone checking a receiver wants an answer now, not for a day. */
export const TEST_SEND_ATTEMPTS = 3;

/** Seconds a caller refused for a full queue is told to wait: queued deliveries end at their next attempt or later. */
const FULL_RETRY_AFTER_S = 60;

/**
 * The places of every workspace's queued deliveries. A place is forgotten after the whole
 * retry schedule plus an hour: no job is queued that long unless every worker was down.
 */
export function deliveryBacklog(
  redis: RedisClient,
  keys: Keys,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  max = MAX_QUEUED_DELIVERIES,
): DeliveryBacklog {
  const retrying = retryDelays(schedule).reduce((a, b) => a + b, 0);
  return new DeliveryBacklog(redis, keys, { max, forgetAfterMs: retrying + 3_600_000 });
}

/** The producer side: the API (test sends) and the evaluation both enqueue through it. */
export class WebhookQueue {
  readonly queue: Queue<DeliveryJob>;
  private readonly backlog: DeliveryBacklog;

  constructor(
    connection: RedisClient,
    keys: Keys,
    private readonly log: DeliveryLog,
    schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  ) {
    this.backlog = deliveryBacklog(connection, keys, schedule);
    this.queue = new Queue<DeliveryJob>(keys.alertQueues.deliver, {
      connection,
      prefix: keys.bull,
      defaultJobOptions: {
        attempts: deliveryAttempts(schedule),
        backoff: { type: 'webhook' },
        removeOnComplete: { count: 1000 },
        removeOnFail: { age: 7 * 86_400 },
      },
    });
  }

  /**
   * Logs a delivery of `payload` to `rule`'s webhook and queues it (job id = event id, so a
   * repeated evaluation queues nothing new while the first job is kept).
   * @throws AppError 429 `rate_limited` with Retry-After when the workspace has as many
   *   deliveries queued as it may (nothing is logged or queued then).
   */
  async enqueue(workspaceId: string, rule: StoredRule, payload: AlertPayload, now = Date.now()): Promise<Delivery> {
    const place = await this.backlog.reserve(workspaceId, payload.id, now);
    if (place === 0) {
      throw new AppError(
        'rate_limited',
        429,
        'this workspace has as many webhook deliveries queued as it may; try again once some are delivered',
        { headers: { 'Retry-After': String(FULL_RETRY_AFTER_S) } },
      );
    }
    const delivery = record(rule, payload, now, 'pending');
    await this.log.create(workspaceId, delivery);
    const data: DeliveryJob = {
      workspaceId,
      ruleId: rule.id,
      deliveryId: payload.id,
      url: rule.webhook.url,
      body: deliveryBody(payload, rule.webhook.format),
    };
    // Priority = place: every workspace's n-th delivery goes before any workspace's (n+1)-th,
    // so a backlog only ever waits behind itself (FIFO within one place).
    await this.queue.add('deliver', data, {
      jobId: payload.id,
      priority: place,
      ...(payload.type === 'alert.test' ? { attempts: TEST_SEND_ATTEMPTS } : {}),
    });
    return delivery;
  }

  /** Logs a delivery the full queue refused as failed, never attempted (an evaluation's transition). */
  async logRefused(workspaceId: string, rule: StoredRule, payload: AlertPayload, now = Date.now()): Promise<void> {
    await this.log.create(workspaceId, record(rule, payload, now, 'failed'));
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

function record(rule: StoredRule, payload: AlertPayload, now: number, status: Delivery['status']): Delivery {
  return {
    id: payload.id,
    type: payload.type,
    rule_id: rule.id,
    rule_name: rule.name,
    url: rule.webhook.url,
    created_at: new Date(now).toISOString(),
    status,
    next_attempt_at: null,
    attempts: [],
  };
}

/** What a delivery attempt needs. */
export interface DeliveryDeps {
  rules: RuleStore;
  log: DeliveryLog;
  backlog: DeliveryBacklog;
  options: DeliveryOptions;
  /** Told of each attempt's outcome (for the webhook metric). */
  onAttempt?: (outcome: 'delivered' | 'retrying' | 'failed') => void;
}

/** Runs one attempt of a delivery job; throws when it failed, so BullMQ retries it. */
export async function deliverOnce(job: Job<DeliveryJob>, deps: DeliveryDeps): Promise<{ code: number | null }> {
  const { workspaceId: ws, deliveryId: id } = job.data;
  const rule = await deps.rules.get(ws, job.data.ruleId);
  if (!rule) {
    // Deleted rule: nobody wants its alerts any more.
    await deps.log.setStatus(ws, id, 'cancelled');
    await deps.backlog.release(ws, id);
    return { code: null };
  }
  const headers: Record<string, string> = { 'x-thumbline-event-id': id };
  if (rule.webhook.secret !== undefined)
    headers['x-thumbline-signature'] = signBody(rule.webhook.secret, job.data.body);
  const at = Date.now();
  const res = await postWebhook(job.data.url, job.data.body, headers, deps.options);
  const attempt = job.attemptsMade + 1;
  const last = attempt >= (job.opts.attempts ?? 1);
  const status = res.ok ? 'delivered' : last ? 'failed' : 'retrying';
  const next =
    res.ok || last ? null : new Date(Date.now() + retryDelayMs(attempt, deps.options.schedule)).toISOString();
  await deps.log.recordAttempt(
    ws,
    id,
    {
      attempt,
      at: new Date(at).toISOString(),
      ok: res.ok,
      code: res.code,
      error: res.error,
      duration_ms: res.durationMs,
    },
    status,
    next,
  );
  deps.onAttempt?.(status);
  if (res.ok || last) await deps.backlog.release(ws, id);
  if (!res.ok) throw new Error(`webhook delivery ${id} attempt ${attempt} failed: ${res.error ?? 'no answer'}`);
  return { code: res.code };
}

/** The consumer side (worker role). */
export function startDeliveryWorker(
  connection: RedisClient,
  keys: Keys,
  deps: DeliveryDeps & { logger: Logger; concurrency?: number },
): Worker<DeliveryJob> {
  const w = new Worker<DeliveryJob>(keys.alertQueues.deliver, (job) => deliverOnce(job, deps), {
    connection,
    prefix: keys.bull,
    concurrency: deps.concurrency ?? 8,
    settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, deps.options.schedule) },
  });
  w.on('failed', (job, err) => {
    deps.logger.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'webhook attempt failed');
    // Out of attempts through an error of ours (say, Redis), not the receiver's: give the place back here.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
      deps.backlog.release(job.data.workspaceId, job.data.deliveryId).catch((e: unknown) => {
        deps.logger.warn({ err: e, jobId: job.id }, 'could not release a delivery place; it is forgotten later');
      });
  });
  w.on('error', (err) => deps.logger.error({ err }, 'webhook worker error'));
  return w;
}
