/**
 * Wire types of the events the SDK sends (the OpenAPI document's `Event`) and of the widget config.
 * They mirror `@thumbline/events` by hand: the SDK has no runtime dependencies, and a
 * value import of the zod schemas would put zod in every storefront bundle. A type test
 * (types.test.ts) keeps the two in step in both directions, so a contract change that
 * breaks the SDK fails the type check.
 */

/** A thumb on one assistant message; `none` clears it. */
export type Thumb = 'up' | 'down' | 'none';

/** A conversation rating: a thumb (counts as 5 or 1) or a 1–5 score. */
export type CsatRating = { thumb: 'up' | 'down'; score?: never } | { score: number; thumb?: never };

/** Who wrote a message. */
export type Role = 'shopper' | 'assistant' | 'agent';

/** Knowledge an assistant answer was built from (at most 20 per answer). */
export interface Source {
  /** The source's own stable id, 1–128 characters. */
  id: string;
  title?: string;
  url?: string;
}

interface EventBase {
  /** Idempotency key, fixed when the event is queued: a resend under the same id counts once. */
  event_id: string;
  /** When it happened: epoch milliseconds (the SDK's default: the call), or RFC 3339 with an offset. */
  ts: number | string;
  conversation_id: string;
  widget_id?: string;
  locale?: string;
  /** An opaque id of the shopper (1–128 characters): what erasure by shopper finds (CONTRACT §14). */
  shopper_id?: string;
}

export type ConversationStartedEvent = EventBase & { type: 'conversation.started'; channel?: string };
export type MessageFeedbackEvent = EventBase & { type: 'message.feedback'; message_id: string; thumb: Thumb };
export type ConversationResolvedEvent = EventBase & { type: 'conversation.resolved' };
export type ConversationCsatEvent = EventBase & {
  type: 'conversation.csat';
  thumb?: 'up' | 'down';
  score?: number;
  reason?: string;
};
export type ConversationCsatPromptedEvent = EventBase & { type: 'conversation.csat_prompted' };
export type MessageCreatedEvent = EventBase & {
  type: 'message.created';
  message_id: string;
  role: Role;
  text?: string;
  sources?: Source[];
};

/** The event types a public key may send (browser widgets). */
export type WidgetEvent =
  | ConversationStartedEvent
  | MessageFeedbackEvent
  | ConversationResolvedEvent
  | ConversationCsatEvent
  | ConversationCsatPromptedEvent;

/** Every event type; `message.created` needs the secret key (chat backends, `@thumbline/sdk/server`). */
export type ThumblineEvent = WidgetEvent | MessageCreatedEvent;

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

/** `202` of `POST /v1/events`. */
export interface IngestResponse {
  accepted: number;
  rejected: { index: number; code: string; message: string }[];
}
