// Webhook deliveries as BullMQ jobs: one job per transition (or test), retried with backoff
// for at least 24 h, each attempt recorded in the workspace's delivery log.
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '@thumbline/core';
import type { AlertPayload, Delivery } from '@thumbline/events';
import type { Keys, RedisClient } from '@thumbline/redis';
import type { DeliveryLog } from './delivery-log.store.ts';
import { deliveryBody } from './payload.ts';
import { deliveryAttempts, retryDelayMs, DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from './retry-schedule.ts';
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

/** The producer side: the API (test sends) and the evaluation both enqueue through it. */
export class WebhookQueue {
  readonly queue: Queue<DeliveryJob>;

  constructor(
    connection: RedisClient,
    keys: Keys,
    private readonly log: DeliveryLog,
    schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  ) {
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
   */
  async enqueue(workspaceId: string, rule: StoredRule, payload: AlertPayload, now = Date.now()): Promise<Delivery> {
    const delivery: Delivery = {
      id: payload.id,
      type: payload.type,
      rule_id: rule.id,
      rule_name: rule.name,
      url: rule.webhook.url,
      created_at: new Date(now).toISOString(),
      status: 'pending',
      next_attempt_at: null,
      attempts: [],
    };
    await this.log.create(workspaceId, delivery);
    const data: DeliveryJob = {
      workspaceId,
      ruleId: rule.id,
      deliveryId: payload.id,
      url: rule.webhook.url,
      body: deliveryBody(payload, rule.webhook.format),
    };
    await this.queue.add('deliver', data, { jobId: payload.id });
    return delivery;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

/** Runs one attempt of a delivery job; throws when it failed, so BullMQ retries it. */
export async function deliverOnce(
  job: Job<DeliveryJob>,
  deps: { rules: RuleStore; log: DeliveryLog; options: DeliveryOptions },
): Promise<{ code: number | null }> {
  const { workspaceId: ws, deliveryId: id } = job.data;
  const rule = await deps.rules.get(ws, job.data.ruleId);
  if (!rule) {
    // Deleted rule: nobody wants its alerts any more.
    await deps.log.setStatus(ws, id, 'cancelled');
    return { code: null };
  }
  const headers: Record<string, string> = { 'x-thumbline-event-id': id };
  if (rule.webhook.secret !== undefined)
    headers['x-thumbline-signature'] = signBody(rule.webhook.secret, job.data.body);
  const at = Date.now();
  const res = await postWebhook(job.data.url, job.data.body, headers, deps.options);
  const attempt = job.attemptsMade + 1;
  const last = attempt >= (job.opts.attempts ?? 1);
  const status: Delivery['status'] = res.ok ? 'delivered' : last ? 'failed' : 'retrying';
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
  if (!res.ok) throw new Error(`webhook delivery ${id} attempt ${attempt} failed: ${res.error ?? 'no answer'}`);
  return { code: res.code };
}

/** The consumer side (worker role). */
export function startDeliveryWorker(
  connection: RedisClient,
  keys: Keys,
  deps: { rules: RuleStore; log: DeliveryLog; options: DeliveryOptions; logger: Logger; concurrency?: number },
): Worker<DeliveryJob> {
  const w = new Worker<DeliveryJob>(keys.alertQueues.deliver, (job) => deliverOnce(job, deps), {
    connection,
    prefix: keys.bull,
    concurrency: deps.concurrency ?? 8,
    settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, deps.options.schedule) },
  });
  w.on('failed', (job, err) =>
    deps.logger.warn({ err, jobId: job?.id, attempts: job?.attemptsMade }, 'webhook attempt failed'),
  );
  w.on('error', (err) => deps.logger.error({ err }, 'webhook worker error'));
  return w;
}
