export { AlertStateStore, INITIAL_STATE, type RuleState } from './alert-state.store.ts';
export {
  countedWorkspaces,
  createAlertsWorker,
  DEFAULT_DEBOUNCE_MS,
  DEFAULT_SWEEP_MS,
  type AlertsDeps,
  type AlertsOptions,
  type AlertsWorker,
} from './alerts-worker.ts';
export { DeliveryBacklog, MAX_QUEUED_DELIVERIES } from './delivery-backlog.store.ts';
export { DELIVERIES_KEPT, DeliveryLog } from './delivery-log.store.ts';
export {
  baselineSpan,
  BUCKET_MS,
  earliestBucket,
  evaluateRule,
  trailingWindow,
  type BucketSums,
  type EvaluableRule,
  type Evaluation,
  type Span,
} from './evaluate.ts';
export { evaluateWorkspace, type EvaluationDeps, type Transition } from './evaluation.ts';
export { transitionEventId } from './event-id.ts';
export { alertPayload, deliveryBody, slackMessage } from './payload.ts';
export {
  DEFAULT_RETRY_SCHEDULE,
  deliveryAttempts,
  retryDelayMs,
  retryDelays,
  type RetrySchedule,
} from './retry-schedule.ts';
export { MAX_RULES_PER_WORKSPACE, publicRule, RuleStore, type StoredRule } from './rule.store.ts';
export { signBody, verifySignature } from './signature.ts';
export { TEST_SENDS_PER_MINUTE, TestSendLimit } from './test-send-limit.ts';
export { postWebhook, type PostOptions, type PostResult } from './webhook-post.ts';
export { checkWebhookUrl, isPrivateAddress, resolveHost, WebhookTargetError } from './webhook-target.ts';
export {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  deliverOnce,
  deliveryBacklog,
  startDeliveryWorker,
  TEST_SEND_ATTEMPTS,
  WebhookQueue,
  type DeliveryDeps,
  type DeliveryJob,
  type DeliveryOptions,
} from './webhook-queue.ts';
