import { z } from '@hono/zod-openapi';
import { localeSchema, widgetIdSchema } from './settings.schema.ts';

// Alert rules and webhook deliveries (CONTRACT §10; the `drop` condition is additive).

export const ALERT_METRICS = ['csat_average', 'thumbs_down_pct'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/** Default trailing baseline of a `drop` condition: 7 days. */
export const DEFAULT_BASELINE_MINUTES = 10_080;
/** Default confidence of a `drop` condition (two-sided). */
export const DEFAULT_DROP_CONFIDENCE = 0.95;
/** Event ages are capped at 30 days by default, so a longer baseline would read nothing more. */
export const MAX_BASELINE_MINUTES = 43_200;

const fifteenMinutes = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min)
    .max(max)
    .refine((m) => m % 15 === 0, 'must be a multiple of 15');

export const thresholdConditionSchema = z
  .object({ type: z.enum(['below', 'above']), value: z.number().finite() })
  .openapi('ThresholdCondition');

export const dropConditionSchema = z
  .object({
    type: z.literal('drop'),
    baseline_minutes: fifteenMinutes(15, MAX_BASELINE_MINUTES).default(DEFAULT_BASELINE_MINUTES).openapi({
      description: 'Length of the trailing baseline just before the window (minutes, multiple of 15).',
    }),
    confidence: z.number().min(0.5).max(0.9999).default(DEFAULT_DROP_CONFIDENCE).openapi({
      description: 'Two-sided confidence of the Wilson score intervals compared (0.5–0.9999).',
    }),
  })
  .openapi('DropCondition', {
    description:
      'thumbs_down_pct only: fires when the lower Wilson bound of the window’s thumbs-down rate exceeds the upper ' +
      'Wilson bound of the baseline’s rate (see docs/alerts.md).',
  });

export const alertConditionSchema = z.discriminatedUnion('type', [thresholdConditionSchema, dropConditionSchema]);

export const alertSegmentSchema = z
  .object({ widget_id: widgetIdSchema.optional(), locale: localeSchema.optional() })
  .strict()
  .openapi('AlertSegment');

/** A webhook URL: http(s) only, ≤ 2048 characters. Whether its host is allowed is checked on creation. */
export const webhookUrlSchema = z
  .string()
  .max(2048)
  .refine((u) => {
    if (!URL.canParse(u)) return false;
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  }, 'must be an http(s) URL');

export const webhookBodySchema = z
  .object({
    url: webhookUrlSchema,
    secret: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .openapi({ description: 'Signs each body (HMAC-SHA256); never returned.' }),
    format: z.enum(['json', 'slack']).default('json').openapi({
      description: '`json`: the contract’s payload; `slack`: a Slack-compatible `{ text, blocks }` message.',
    }),
  })
  .strict();

export const alertRuleBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    metric: z.enum(ALERT_METRICS),
    segment: alertSegmentSchema.default({}),
    window_minutes: fifteenMinutes(15, 1440),
    condition: alertConditionSchema,
    min_samples: z.number().int().min(1).max(1_000_000).default(10),
    webhook: webhookBodySchema,
  })
  .superRefine((r, ctx) => {
    const c = r.condition;
    if (c.type === 'drop') {
      if (r.metric !== 'thumbs_down_pct') {
        ctx.addIssue({ code: 'custom', path: ['condition', 'type'], message: 'drop applies to thumbs_down_pct only' });
      }
      return;
    }
    const [lo, hi] = r.metric === 'csat_average' ? [1, 5] : [0, 100];
    if (c.value < lo || c.value > hi) {
      ctx.addIssue({ code: 'custom', path: ['condition', 'value'], message: `must be between ${lo} and ${hi}` });
    }
  })
  .openapi('AlertRuleBody');

export const alertStatusSchema = z.enum(['ok', 'firing']);

export const alertRuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    metric: z.enum(ALERT_METRICS),
    segment: alertSegmentSchema,
    window_minutes: z.number().int(),
    condition: alertConditionSchema,
    min_samples: z.number().int(),
    webhook: z.object({
      url: z.string(),
      format: z.enum(['json', 'slack']),
      has_secret: z.boolean().openapi({ description: 'Whether deliveries are signed (the secret is never returned).' }),
    }),
    created_at: z.string(),
    status: alertStatusSchema.openapi({ description: 'Whether the rule is firing now.' }),
  })
  .openapi('AlertRule');

export const alertRuleListSchema = z.object({ items: z.array(alertRuleSchema) }).openapi('AlertRuleList');

export const ALERT_EVENT_TYPES = ['alert.firing', 'alert.resolved', 'alert.test'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** The JSON body of a webhook delivery (format `json`). */
export const alertPayloadSchema = z
  .object({
    type: z.enum(ALERT_EVENT_TYPES),
    id: z.string().openapi({ description: 'The event id: also sent as X-Thumbline-Event-Id on every attempt.' }),
    rule_id: z.string(),
    rule_name: z.string(),
    workspace_id: z.string(),
    metric: z.enum(ALERT_METRICS),
    value: z.number().nullable(),
    samples: z.number().int(),
    condition: alertConditionSchema,
    segment: alertSegmentSchema,
    window: z.object({ from: z.string(), to: z.string() }),
    baseline: z
      .object({ value: z.number().nullable(), samples: z.number().int(), from: z.string(), to: z.string() })
      .optional()
      .openapi({ description: 'For `drop` rules: the baseline compared with.' }),
    at: z.string(),
  })
  .openapi('AlertPayload');

export const deliveryAttemptSchema = z.object({
  attempt: z.number().int(),
  at: z.string(),
  ok: z.boolean(),
  code: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'HTTP status answered, null when none (timeout, refused).' }),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});

export const deliverySchema = z
  .object({
    id: z.string().openapi({ description: 'The event id of the transition (or test).' }),
    type: z.enum(ALERT_EVENT_TYPES),
    rule_id: z.string(),
    rule_name: z.string(),
    url: z.string(),
    created_at: z.string(),
    status: z.enum(['pending', 'retrying', 'delivered', 'failed', 'cancelled']),
    next_attempt_at: z.string().nullable(),
    attempts: z.array(deliveryAttemptSchema),
  })
  .openapi('Delivery');

export const deliveryListSchema = z.object({ items: z.array(deliverySchema) }).openapi('DeliveryList');

export type AlertCondition = z.infer<typeof alertConditionSchema>;
export type AlertSegment = z.infer<typeof alertSegmentSchema>;
export type AlertRuleBody = z.infer<typeof alertRuleBodySchema>;
export type AlertRule = z.infer<typeof alertRuleSchema>;
export type AlertPayload = z.infer<typeof alertPayloadSchema>;
export type Delivery = z.infer<typeof deliverySchema>;
export type DeliveryAttempt = z.infer<typeof deliveryAttemptSchema>;
