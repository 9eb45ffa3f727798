// One evaluation of a workspace's rules: one ClickHouse query, every rule computed in JS,
// transitions stored and their deliveries queued.
import { randomUUID } from 'node:crypto';
import { alertBuckets, type ClickHouse, type Segment } from '@thumbline/clickhouse';
import { isAppError } from '@thumbline/core';
import type { Keys, RedisClient } from '@thumbline/redis';
import { AlertStateStore, INITIAL_STATE, type RuleState } from './alert-state.store.ts';
import { earliestBucket, evaluateRule, type Evaluation } from './evaluate.ts';
import { transitionEventId } from './event-id.ts';
import { alertPayload } from './payload.ts';
import type { RuleStore, StoredRule } from './rule.store.ts';
import { runScript } from './scripts.ts';
import type { WebhookQueue } from './webhook-queue.ts';

export interface EvaluationDeps {
  redis: RedisClient;
  keys: Keys;
  ch: ClickHouse;
  rules: RuleStore;
  states: AlertStateStore;
  webhooks: WebhookQueue;
}

export interface Transition {
  ruleId: string;
  type: 'alert.firing' | 'alert.resolved';
  eventId: string;
  evaluation: Evaluation;
}

/** How long one evaluation may hold a workspace (ms): longer than any query it waits for. */
const LOCK_MS = 30_000;

const segmentKey = (s: Segment) => JSON.stringify([s.widget_id ?? null, s.locale ?? null]);

/**
 * Evaluates every rule of `ws` at `now`. Holds the workspace's lock meanwhile, so two
 * evaluations never race on a rule's state; returns 'busy' when another one holds it (the
 * caller evaluates again shortly, after that one).
 */
export async function evaluateWorkspace(
  d: EvaluationDeps,
  ws: string,
  now = Date.now(),
): Promise<Transition[] | 'busy'> {
  const lock = d.keys.alerts(ws).lock;
  const token = randomUUID();
  if ((await d.redis.set(lock, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return 'busy';
  try {
    return await evaluateLocked(d, ws, now);
  } finally {
    await runScript(d.redis, 'releaseLock', lock, token);
  }
}

async function evaluateLocked(d: EvaluationDeps, ws: string, now: number): Promise<Transition[]> {
  const [rules, states] = await Promise.all([d.rules.list(ws), d.states.all(ws)]);
  const gone = [...states.keys()].filter((id) => !rules.some((r) => r.id === id));
  if (rules.length === 0) {
    await d.states.save(ws, new Map(), gone);
    return [];
  }
  const segments: Segment[] = [];
  const segmentOf = new Map<string, number>();
  for (const r of rules) {
    const key = segmentKey(r.segment);
    if (!segmentOf.has(key)) {
      segmentOf.set(key, segments.length);
      segments.push(r.segment);
    }
  }
  const from = Math.min(...rules.map((r) => earliestBucket(r, now)));
  const buckets = await alertBuckets(d.ch, { workspaceId: ws, from, segments });

  const next = new Map<string, RuleState>();
  const transitions: Transition[] = [];
  for (const rule of rules) {
    const i = segmentOf.get(segmentKey(rule.segment)) as number;
    const series = buckets.map((b) => ({ bucket: b.bucket, ...(b.segments[i] as (typeof b.segments)[number]) }));
    const evaluation = evaluateRule(rule, series, now);
    const prev = states.get(rule.id) ?? INITIAL_STATE;
    const status = evaluation.holds ? 'firing' : 'ok';
    let state: RuleState = { ...prev, value: evaluation.value, samples: evaluation.samples, evaluated_at: now };
    if (status !== prev.status) {
      const n = prev.transitions + 1;
      const eventId = transitionEventId(ws, rule.id, n);
      const type = status === 'firing' ? 'alert.firing' : 'alert.resolved';
      await queueDelivery(d, ws, rule, type, eventId, evaluation, now);
      state = { ...state, status, transitions: n, event_id: eventId, since: now };
      transitions.push({ ruleId: rule.id, type, eventId, evaluation });
    }
    next.set(rule.id, state);
  }
  // Deliveries are queued before the state moves on: a crash in between repeats the
  // transition with the same event id, which queues nothing twice.
  await d.states.save(ws, next, gone);
  return transitions;
}

async function queueDelivery(
  d: EvaluationDeps,
  ws: string,
  rule: StoredRule,
  type: Transition['type'],
  eventId: string,
  evaluation: Evaluation,
  now: number,
): Promise<void> {
  const payload = alertPayload(type, eventId, rule, ws, evaluation, now);
  try {
    await d.webhooks.enqueue(ws, rule, payload, now);
  } catch (err) {
    if (!isAppError(err, 'rate_limited')) throw err;
    // The workspace's queue is full (its receivers fail or hang): the transition still
    // happens, and its log says it was never sent, rather than holding the state back.
    await d.webhooks.logRefused(ws, rule, payload, now);
  }
}
