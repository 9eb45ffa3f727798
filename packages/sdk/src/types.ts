/**
 * Wire types of the events a browser widget sends (the OpenAPI document's `Event`) and of the widget config.
 * They mirror `@thumbline/events` by hand: the SDK has no runtime dependencies, and a
 * value import of the zod schemas would put zod in every storefront bundle. A type test
 * (types.test.ts) keeps the two in step.
 */

/** A thumb on one assistant message; `none` clears it. */
export type Thumb = 'up' | 'down' | 'none';

/** A conversation rating: a thumb (counts as 5 or 1) or a 1–5 score. */
export type CsatRating = { thumb: 'up' | 'down'; score?: never } | { score: number; thumb?: never };

interface EventBase {
  /** Idempotency key, generated here: a resend under the same id counts once. */
  event_id: string;
  /** Epoch milliseconds of the call that produced the event. */
  ts: number;
  conversation_id: string;
  widget_id?: string;
  locale?: string;
}

/** The event types a public key may send; `message.created` needs the secret key (server side). */
export type WidgetEvent =
  | (EventBase & { type: 'conversation.started'; channel?: string })
  | (EventBase & { type: 'message.feedback'; message_id: string; thumb: Thumb })
  | (EventBase & { type: 'conversation.resolved' })
  | (EventBase & { type: 'conversation.csat'; thumb?: 'up' | 'down'; score?: number; reason?: string })
  | (EventBase & { type: 'conversation.csat_prompted' });

/** The Auto-end conversation (CSAT prompt) copy for one locale. */
export interface AutoEndCopy {
  locale: string;
  title: string;
  negative_reason: string;
  negative_placeholder: string;
  negative_button: string;
  after_submission: string;
}

/** `GET /v1/widgets/{widget_id}/config`: whether to show the CSAT prompt, and its copy. */
export interface WidgetConfig {
  widget_id: string;
  csat_enabled: boolean;
  auto_end: AutoEndCopy;
}
