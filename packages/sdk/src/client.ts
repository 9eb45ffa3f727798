import { newEventId } from './ids.ts';
import type { CsatRating, Thumb, WidgetConfig, WidgetEvent } from './types.ts';

export interface ThumblineOptions {
  /** Origin of the Thumbline server, e.g. `https://feedback.example.com` (no trailing path). */
  baseUrl: string;
  /** The workspace's public key (`pk_…`): safe in a browser, limited to widget events. */
  publicKey: string;
  /** Added to every event as `widget_id`; also the widget whose config `config()` reads (default `default`). */
  widgetId?: string;
  /** BCP 47 tag added to every event as `locale`; also picks the CSAT prompt copy. */
  locale?: string;
  /** Longest time an event waits in the queue before its batch is sent. Default 1000. */
  flushIntervalMs?: number;
  /** Most events per request; a full batch is sent at once. Default 50, at most 500. */
  maxBatch?: number;
  /** `fetch` to use (tests inject a fake). Default the global one. */
  fetch?: typeof fetch;
  /** `navigator.sendBeacon` stand-in used on page hide; `false` turns beacons off. */
  beacon?: ((url: string, data: Blob) => boolean) | false;
  /** Told about failed requests (retried or not) and dropped events; never throws into your code. */
  onError?: (error: ThumblineError) => void;
}

export interface ThumblineClient {
  /** The shopper opened a conversation. Returns the event id. */
  conversationStarted(conversationId: string, options?: { channel?: string }): string;
  /** A thumb on one assistant message; `none` clears an earlier thumb. Latest wins. */
  messageFeedback(conversationId: string, messageId: string, thumb: Thumb): string;
  conversationResolved(conversationId: string): string;
  /** The conversation's rating: `{ thumb }` or `{ score }` (1–5), with a reason when negative. */
  csat(conversationId: string, rating: CsatRating, reason?: string): string;
  /**
   * The widget has just shown the rating prompt: call it when the prompt appears, so the
   * dashboard's response rate knows how many shoppers saw it. Only the first prompt of a
   * conversation counts, so calling it again when the prompt reappears is harmless.
   */
  csatPrompted(conversationId: string): string;
  /** The widget's current config (CSAT prompt on/off and its copy for `locale`), never cached. */
  config(): Promise<WidgetConfig>;
  /**
   * Sends the queue now. Resolves once every event queued before the call was delivered
   * or dropped (rejected by the server); while the server is unreachable it keeps retrying.
   */
  flush(): Promise<void>;
  /** Hands queued events to one last send (beacon, else fetch keepalive) and stops. */
  close(): void;
  /** Events queued and not yet confirmed by the server. */
  readonly pending: number;
}

/** A failed request or dropped events, reported through `onError`. */
export class ThumblineError extends Error {
  override name = 'ThumblineError';
  constructor(
    message: string,
    readonly details: {
      /** HTTP status, absent for network errors. */
      status?: number;
      /** Error code of the server's body (`unauthorized`, `rate_limited`, …) or of a rejected event. */
      code?: string;
      /** True when the events stay queued and will be sent again. */
      retrying: boolean;
      /** How many events were given up on. */
      dropped: number;
      cause?: unknown;
    },
  ) {
    super(message);
  }
}

/** Backoff of the first retry; it doubles per consecutive failure up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;
/** Longest Retry-After honoured (a misconfigured proxy must not park events for days). */
const MAX_RETRY_AFTER_MS = 60 * 60_000;
/** A request still unanswered after this long is abandoned and retried. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Browsers refuse keepalive requests and beacons above 64 KiB in flight; stay below. */
const KEEPALIVE_MAX_BYTES = 60_000;
/** The server's batch limit. */
const SERVER_MAX_BATCH = 500;

interface Queued {
  seq: number;
  event: WidgetEvent;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; retryAfterMs: number | undefined };

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** Exponential backoff with equal jitter: half fixed, half random. */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

async function errorCode(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

function defaultBeacon(): ((url: string, data: Blob) => boolean) | undefined {
  if (typeof navigator === 'undefined' || typeof navigator.sendBeacon !== 'function') return undefined;
  return (url, data) => navigator.sendBeacon(url, data);
}

function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

/**
 * A Thumbline client for a storefront widget. Events are queued in call order and sent
 * as `{ "events": [...] }` batches, one request at a time, so they are never reordered.
 * Network errors, 429 and 5xx are retried with backoff under the same event ids (the
 * server counts each id once); other 4xx drop the batch. When the page is hidden the
 * queue goes out through `navigator.sendBeacon`.
 */
export function createThumbline(options: ThumblineOptions): ThumblineClient {
  requireText('baseUrl', options.baseUrl);
  requireText('publicKey', options.publicKey);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const { publicKey, widgetId, locale, onError } = options;
  const flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 1000);
  const maxBatch = Math.min(SERVER_MAX_BATCH, Math.max(1, Math.floor(options.maxBatch ?? 50)));
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const beacon = options.beacon === false ? undefined : (options.beacon ?? defaultBeacon());
  const eventsUrl = `${baseUrl}/v1/events`;
  const beaconUrl = `${eventsUrl}?key=${encodeURIComponent(publicKey)}`;

  const queue: Queued[] = [];
  const waiters: Waiter[] = [];
  let lastSeq = 0;
  let sending = false;
  let failures = 0;
  /** The flush interval elapsed (or a retry is due): send at the next chance. */
  let due = false;
  let closed = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const report = (error: ThumblineError) => {
    try {
      onError?.(error);
    } catch {
      // A faulty handler must not break delivery.
    }
  };

  function enqueue(event: WidgetEvent): string {
    if (closed) return event.event_id;
    if (widgetId !== undefined) event.widget_id = widgetId;
    if (locale !== undefined) event.locale = locale;
    queue.push({ seq: ++lastSeq, event });
    schedule();
    return event.event_id;
  }

  const base = (conversationId: string) => {
    requireText('conversationId', conversationId);
    return { event_id: newEventId(), ts: Date.now(), conversation_id: conversationId };
  };

  /** Starts a send when one is due and allowed, else makes sure the interval runs. */
  function schedule(): void {
    if (closed) return;
    if (queue.length === 0) {
      due = false;
      return;
    }
    const urgent = due || waiters.length > 0 || queue.length >= maxBatch;
    if (urgent) {
      if (sending || retryTimer !== undefined) return; // re-checked when they end
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      void send();
    } else if (flushTimer === undefined) {
      flushTimer = setTimeout(() => {
        flushTimer = undefined;
        due = true;
        schedule();
      }, flushIntervalMs);
    }
  }

  function remove(sent: readonly Queued[]): void {
    if (sent.length === 0) return;
    const ids = new Set(sent);
    let kept = 0;
    for (const item of queue) if (!ids.has(item)) queue[kept++] = item;
    queue.length = kept;
    const head = queue[0]?.seq ?? Infinity;
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i]!;
      if (waiter.seq < head) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  async function send(): Promise<void> {
    const batch = queue.slice(0, maxBatch);
    due = false;
    sending = true;
    let outcome: Outcome;
    try {
      outcome = await post(batch);
    } finally {
      sending = false;
    }
    if (outcome.kind === 'done') {
      failures = 0;
      remove(batch);
    } else if (!closed) {
      failures += 1;
      const delay = Math.max(outcome.retryAfterMs ?? 0, backoffMs(failures));
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        due = true;
        schedule();
      }, delay);
    }
    schedule();
  }

  /** One POST of a batch: delivered or dropped (`done`), or to be retried. */
  async function post(batch: readonly Queued[]): Promise<Outcome> {
    const body = JSON.stringify({ events: batch.map((item) => item.event) });
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      res = await doFetch(eventsUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${publicKey}`, 'Content-Type': 'application/json' },
        body,
        // Lets the request outlive the page; browsers cap keepalive bodies at 64 KiB.
        keepalive: byteLength(body) <= KEEPALIVE_MAX_BYTES,
        signal: abort.signal,
      });
    } catch (cause) {
      report(
        new ThumblineError(`sending ${batch.length} events failed; retrying`, { retrying: true, dropped: 0, cause }),
      );
      return { kind: 'retry', retryAfterMs: undefined };
    } finally {
      clearTimeout(timeout);
    }
    if (res.ok) {
      if (res.status === 202) await reportRejections(res);
      return { kind: 'done' };
    }
    const code = await errorCode(res);
    if (res.status === 429 || res.status >= 500) {
      report(
        new ThumblineError(`sending ${batch.length} events: HTTP ${res.status}; retrying`, {
          status: res.status,
          code,
          retrying: true,
          dropped: 0,
        }),
      );
      return { kind: 'retry', retryAfterMs: retryAfterMs(res.headers.get('retry-after')) };
    }
    report(
      new ThumblineError(`sending ${batch.length} events: HTTP ${res.status}${code ? ` ${code}` : ''}; dropped`, {
        status: res.status,
        code,
        retrying: false,
        dropped: batch.length,
      }),
    );
    return { kind: 'done' };
  }

  /** A 202 may still refuse single events (they are not retried: they would fail again). */
  async function reportRejections(res: Response): Promise<void> {
    if (!onError) return;
    try {
      const body = (await res.json()) as { rejected?: { code?: string; message?: string }[] };
      const rejected = Array.isArray(body.rejected) ? body.rejected : [];
      if (rejected.length === 0) return;
      const first = rejected[0];
      report(
        new ThumblineError(`${rejected.length} events rejected: ${first?.message ?? 'invalid'}`, {
          status: res.status,
          code: first?.code,
          retrying: false,
          dropped: rejected.length,
        }),
      );
    } catch {
      // The events were accepted; an unreadable body changes nothing.
    }
  }

  /**
   * Hands the queue to sendBeacon in chunks (the in-flight batch too: if the page is
   * unloading, its fetch may never finish, and a duplicate id counts once). Stops at the
   * first refusal; what was refused stays queued for the next fetch.
   */
  function beaconQueue(): void {
    if (!beacon || queue.length === 0) return;
    const handedOver: Queued[] = [];
    let start = 0;
    while (start < queue.length) {
      let chunk = queue.slice(start, start + maxBatch);
      let json = JSON.stringify({ events: chunk.map((item) => item.event) });
      while (chunk.length > 1 && byteLength(json) > KEEPALIVE_MAX_BYTES) {
        chunk = chunk.slice(0, Math.ceil(chunk.length / 2));
        json = JSON.stringify({ events: chunk.map((item) => item.event) });
      }
      let accepted = false;
      try {
        accepted = beacon(beaconUrl, new Blob([json], { type: 'text/plain' }));
      } catch {
        accepted = false;
      }
      if (!accepted) break;
      handedOver.push(...chunk);
      start += chunk.length;
    }
    remove(handedOver);
  }

  const onPageHide = () => beaconQueue();
  const onVisibilityChange = () => {
    if (document.visibilityState === 'hidden') beaconQueue();
  };
  const win = typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : undefined;
  const doc = typeof document !== 'undefined' && typeof document.addEventListener === 'function' ? document : undefined;
  win?.addEventListener('pagehide', onPageHide);
  doc?.addEventListener('visibilitychange', onVisibilityChange);

  return {
    conversationStarted(conversationId, opts = {}) {
      const event: WidgetEvent = { ...base(conversationId), type: 'conversation.started' };
      if (opts.channel !== undefined) event.channel = opts.channel;
      return enqueue(event);
    },

    messageFeedback(conversationId, messageId, thumb) {
      requireText('messageId', messageId);
      if (thumb !== 'up' && thumb !== 'down' && thumb !== 'none') {
        throw new TypeError("thumb must be 'up', 'down' or 'none'");
      }
      return enqueue({ ...base(conversationId), type: 'message.feedback', message_id: messageId, thumb });
    },

    conversationResolved(conversationId) {
      return enqueue({ ...base(conversationId), type: 'conversation.resolved' });
    },

    csat(conversationId, rating, reason) {
      const event: WidgetEvent = { ...base(conversationId), type: 'conversation.csat' };
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

    csatPrompted(conversationId) {
      return enqueue({ ...base(conversationId), type: 'conversation.csat_prompted' });
    },

    async config() {
      const params = new URLSearchParams();
      if (locale !== undefined) params.set('locale', locale);
      params.set('key', publicKey);
      const url = `${baseUrl}/v1/widgets/${encodeURIComponent(widgetId ?? 'default')}/config?${params}`;
      // No custom headers: a simple GET needs no CORS preflight.
      const res = await doFetch(url, { method: 'GET', headers: { Accept: 'application/json' }, cache: 'no-store' });
      if (!res.ok) {
        const code = await errorCode(res);
        throw new ThumblineError(`widget config: HTTP ${res.status}${code ? ` ${code}` : ''}`, {
          status: res.status,
          code,
          retrying: false,
          dropped: 0,
        });
      }
      return (await res.json()) as WidgetConfig;
    },

    flush() {
      const last = queue[queue.length - 1];
      if (closed || !last) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.push({ seq: last.seq, resolve });
        schedule();
      });
    },

    close() {
      if (closed) return;
      win?.removeEventListener('pagehide', onPageHide);
      doc?.removeEventListener('visibilitychange', onVisibilityChange);
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      flushTimer = retryTimer = undefined;
      beaconQueue();
      // What the beacon refused (or all, without one) gets one last keepalive fetch.
      for (let start = 0; start < queue.length; start += maxBatch) {
        const body = JSON.stringify({ events: queue.slice(start, start + maxBatch).map((item) => item.event) });
        doFetch(eventsUrl, {
          method: 'POST',
          headers: { Authorization: `Bearer ${publicKey}`, 'Content-Type': 'application/json' },
          body,
          keepalive: byteLength(body) <= KEEPALIVE_MAX_BYTES,
        }).catch(() => undefined);
      }
      closed = true;
      remove(queue.slice());
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },

    get pending() {
      return queue.length;
    },
  };
}
