import { requireText } from './delivery.ts';
import { newEventId } from './ids.ts';
import type { CsatRating, Thumb, WidgetEvent } from './types.ts';

/** Per-call overrides; every field is optional. */
export interface EventOptions {
  /** When it happened (default: now). Epoch ms, a Date, or RFC 3339 with an offset. */
  ts?: number | Date | string;
  /** The idempotency key (default: a random UUID). Give a stable one to make your own resends count once. */
  eventId?: string;
  /** Overrides the client's `widgetId` for this event. */
  widgetId?: string;
  /** Overrides the client's `locale` for this event. */
  locale?: string;
}

/** The calls both clients offer for the widget event types. Each returns the event id. */
export interface WidgetEventCalls {
  /** The shopper opened a conversation. */
  conversationStarted(conversationId: string, options?: EventOptions & { channel?: string }): string;
  /** A thumb on one assistant message; `none` clears an earlier thumb. Latest wins. */
  messageFeedback(conversationId: string, messageId: string, thumb: Thumb, options?: EventOptions): string;
  conversationResolved(conversationId: string, options?: EventOptions): string;
  /** The conversation's rating: `{ thumb }` or `{ score }` (1–5), with a reason when negative. */
  csat(conversationId: string, rating: CsatRating, reason?: string, options?: EventOptions): string;
  /**
   * The widget has just shown the rating prompt: call it when the prompt appears, so the
   * dashboard's response rate knows how many shoppers saw it. Only the first prompt of a
   * conversation counts, so calling it again when the prompt reappears is harmless.
   */
  csatPrompted(conversationId: string, options?: EventOptions): string;
}

export interface Defaults {
  widgetId?: string | undefined;
  locale?: string | undefined;
}

/** The common fields of an event: a fresh id, the time, the conversation and the segment. */
export function eventBase(conversationId: string, defaults: Defaults, options: EventOptions = {}) {
  requireText('conversationId', conversationId);
  const { ts, eventId, widgetId = defaults.widgetId, locale = defaults.locale } = options;
  const base: { event_id: string; ts: number | string; conversation_id: string; widget_id?: string; locale?: string } =
    {
      event_id: eventId ?? newEventId(),
      ts: ts === undefined ? Date.now() : ts instanceof Date ? ts.getTime() : ts,
      conversation_id: conversationId,
    };
  if (widgetId !== undefined) base.widget_id = widgetId;
  if (locale !== undefined) base.locale = locale;
  return base;
}

/** Builds each widget event (ids fixed here, before any try) and hands it to `enqueue`. */
export function widgetEventCalls(enqueue: (event: WidgetEvent) => string, defaults: Defaults): WidgetEventCalls {
  const base = (conversationId: string, options?: EventOptions) => eventBase(conversationId, defaults, options);
  return {
    conversationStarted(conversationId, options = {}) {
      const event: WidgetEvent = { ...base(conversationId, options), type: 'conversation.started' };
      if (options.channel !== undefined) event.channel = options.channel;
      return enqueue(event);
    },

    messageFeedback(conversationId, messageId, thumb, options) {
      requireText('messageId', messageId);
      if (thumb !== 'up' && thumb !== 'down' && thumb !== 'none') {
        throw new TypeError("thumb must be 'up', 'down' or 'none'");
      }
      return enqueue({ ...base(conversationId, options), type: 'message.feedback', message_id: messageId, thumb });
    },

    conversationResolved(conversationId, options) {
      return enqueue({ ...base(conversationId, options), type: 'conversation.resolved' });
    },

    csat(conversationId, rating, reason, options) {
      const event: WidgetEvent = { ...base(conversationId, options), type: 'conversation.csat' };
      if (rating.thumb !== undefined) {
        if (rating.thumb !== 'up' && rating.thumb !== 'down') throw new TypeError("thumb must be 'up' or 'down'");
        event.thumb = rating.thumb;
      } else {
        const { score } = rating;
        if (!Number.isInteger(score) || score < 1 || score > 5) {
          throw new TypeError('score must be an integer from 1 to 5');
        }
        event.score = score;
      }
      if (reason !== undefined && reason.trim() !== '') event.reason = reason.trim().slice(0, 2000);
      return enqueue(event);
    },

    csatPrompted(conversationId, options) {
      return enqueue({ ...base(conversationId, options), type: 'conversation.csat_prompted' });
    },
  };
}
