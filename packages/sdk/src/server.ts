/**
 * `@thumbline/sdk/server`: the client for chat backends (Node 20+, or any runtime with
 * `fetch`). It sends every event type with the workspace's secret key, `message.created`
 * with its `sources` included: batched, retried on network errors, timeouts, 429 and 5xx
 * (waiting at least the server's `Retry-After`), with each event's id fixed when it is
 * queued so a retried batch never counts twice. `shutdown()` flushes what is queued.
 */
import { clampBatch, createDelivery, requireText, type ThumblineError } from './delivery.ts';
import { eventBase, widgetEventCalls, type EventOptions, type WidgetEventCalls } from './event-builders.ts';
import type { Role, Source, ThumblineEvent } from './types.ts';

export { BASE_BACKOFF_MS, backoffMs, MAX_BACKOFF_MS, ThumblineError } from './delivery.ts';
export type { EventOptions } from './event-builders.ts';
export type * from './types.ts';

export interface ServerClientOptions {
  /** Origin of the Thumbline server, e.g. `https://feedback.example.com`. */
  baseUrl: string;
  /** The workspace's secret key (`sk_…`). Never ship it to a browser. */
  secretKey: string;
  /** Default `widget_id` of every event (each call may override it). */
  widgetId?: string;
  /** Default `locale` of every event (each call may override it). */
  locale?: string;
  /** Longest time an event waits before its batch is sent. Default 1000. */
  flushIntervalMs?: number;
  /** Most events per request; a full batch is sent at once. Default 200, at most 500. */
  maxBatch?: number;
  /** A request unanswered after this long is abandoned and retried with the same ids. Default 10 000. */
  requestTimeoutMs?: number;
  /** Most events held while Thumbline is unreachable; newer ones are dropped and reported. Default 100 000. */
  maxQueue?: number;
  /** `fetch` to use. Default the global one. */
  fetch?: typeof fetch;
  /** Told about failed requests (retried or not) and dropped events. Default: nothing. */
  onError?: (error: ThumblineError) => void;
}

export interface MessageOptions extends EventOptions {
  /** The message text (at most 16 000 characters). */
  text?: string;
  /** Assistant messages only: the knowledge the answer was built from (at most 20). */
  sources?: Source[];
}

export interface ServerClient extends WidgetEventCalls {
  /** A message of the transcript. Returns the event id. */
  messageCreated(conversationId: string, messageId: string, role: Role, options?: MessageOptions): string;
  /** Sends the queue now; resolves once everything queued before the call was delivered or dropped. */
  flush(): Promise<void>;
  /**
   * Flushes and stops. Resolves with the number of events still undelivered when
   * `timeoutMs` (default 10 000) ran out: 0 means everything was delivered or dropped.
   */
  shutdown(options?: { timeoutMs?: number }): Promise<number>;
  /** Events queued and not yet confirmed by the server. */
  readonly pending: number;
}

export function createServerClient(options: ServerClientOptions): ServerClient {
  requireText('baseUrl', options.baseUrl);
  requireText('secretKey', options.secretKey);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const defaults = { widgetId: options.widgetId, locale: options.locale };
  const delivery = createDelivery<ThumblineEvent>({
    eventsUrl: `${baseUrl}/v1/events`,
    key: options.secretKey,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 1000),
    maxBatch: clampBatch(options.maxBatch, 200),
    requestTimeoutMs: Math.max(1, options.requestTimeoutMs ?? 10_000),
    maxQueue: Math.max(1, options.maxQueue ?? 100_000),
    keepaliveMaxBytes: 0,
    onError: options.onError,
  });
  const enqueue = (event: ThumblineEvent) => delivery.enqueue(event);

  return {
    ...widgetEventCalls(enqueue, defaults),

    messageCreated(conversationId, messageId, role, opts = {}) {
      requireText('messageId', messageId);
      if (role !== 'shopper' && role !== 'assistant' && role !== 'agent') {
        throw new TypeError("role must be 'shopper', 'assistant' or 'agent'");
      }
      if (opts.sources !== undefined && role !== 'assistant') {
        throw new TypeError('only assistant messages may carry sources');
      }
      const event: ThumblineEvent = {
        ...eventBase(conversationId, defaults, opts),
        type: 'message.created',
        message_id: messageId,
        role,
      };
      if (opts.text !== undefined) event.text = opts.text;
      if (opts.sources !== undefined) event.sources = opts.sources;
      return enqueue(event);
    },

    flush: () => delivery.flush(),

    async shutdown({ timeoutMs = 10_000 } = {}) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([delivery.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      return delivery.close().length;
    },

    get pending() {
      return delivery.pending;
    },
  };
}
