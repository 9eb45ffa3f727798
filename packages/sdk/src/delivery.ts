/**
 * The delivery queue both clients share: events are queued in call order with their ids
 * already fixed, and sent as `{ "events": [...] }` batches, one request at a time, so they
 * are never reordered. Network errors, timeouts, 429 and 5xx are retried with backoff (at
 * least the server's `Retry-After`) under the same event ids, which the server counts once;
 * other 4xx drop the batch.
 */

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
/** Ingest's cap per request (MAX_EVENTS_PER_REQUEST in packages/events; tests/sdk-package.test.ts checks they agree). */
export const SERVER_MAX_BATCH = 500;

/** Exponential backoff with equal jitter: half fixed, half random. */
export function backoffMs(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

export async function errorCode(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === 'string' ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

export function requireText(name: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`${name} must be a non-empty string`);
}

export interface DeliveryOptions {
  /** `…/v1/events`. */
  eventsUrl: string;
  /** The key sent as `Authorization: Bearer <key>`. */
  key: string;
  fetch: typeof fetch;
  flushIntervalMs: number;
  maxBatch: number;
  /** A request still unanswered after this long is abandoned and retried. */
  requestTimeoutMs: number;
  /** Most events kept queued; beyond it new events are dropped (and reported). */
  maxQueue: number;
  /** Most bytes of a request body sent with `keepalive` (browsers); 0 never. */
  keepaliveMaxBytes: number;
  onError?: ((error: ThumblineError) => void) | undefined;
}

export interface Delivery<E extends { event_id: string }> {
  /** Queues an event (ignored once closed); returns its id. */
  enqueue(event: E): string;
  /** Resolves once every event queued before the call was delivered or dropped. */
  flush(): Promise<void>;
  /**
   * Offers the queue (the in-flight batch too) to `send` in chunks of at most `maxBatch`
   * events and `maxBytes` of JSON, in order; stops at the first chunk it refuses. What it
   * took leaves the queue.
   */
  handOver(send: (json: string) => boolean, maxBytes: number): void;
  /** Stops timers and retries; returns the events still queued and forgets them. */
  close(): E[];
  readonly closed: boolean;
  readonly pending: number;
  /** The request body of these events. */
  body(events: readonly E[]): string;
}

interface Queued<E> {
  seq: number;
  event: E;
}

interface Waiter {
  seq: number;
  resolve: () => void;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; retryAfterMs: number | undefined };

const encoder = new TextEncoder();
export const byteLength = (text: string) => encoder.encode(text).length;

export function clampBatch(maxBatch: number | undefined, fallback: number): number {
  return Math.min(SERVER_MAX_BATCH, Math.max(1, Math.floor(maxBatch ?? fallback)));
}

export function createDelivery<E extends { event_id: string }>(options: DeliveryOptions): Delivery<E> {
  const { eventsUrl, key, fetch: doFetch, flushIntervalMs, maxBatch, requestTimeoutMs, onError } = options;
  const queue: Queued<E>[] = [];
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
  const body = (events: readonly E[]) => JSON.stringify({ events });

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

  function remove(sent: readonly Queued<E>[]): void {
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

  /** Tells `onError` that `n` events were not delivered (yet). */
  function failed(n: number, retrying: boolean, status?: number, code?: string, cause?: unknown): void {
    const why = status ? `HTTP ${status}${code ? ` ${code}` : ''}` : (code ?? 'network error');
    report(
      new ThumblineError(`${n} events ${retrying ? 'not sent, retrying' : 'dropped'}: ${why}`, {
        status,
        code,
        retrying,
        dropped: retrying ? 0 : n,
        cause,
      }),
    );
  }

  /** One POST of a batch: delivered or dropped (`done`), or to be retried. */
  async function post(batch: readonly Queued<E>[]): Promise<Outcome> {
    const json = body(batch.map((item) => item.event));
    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(), requestTimeoutMs);
    let res: Response;
    try {
      res = await doFetch(eventsUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: json,
        // Lets the request outlive the page; browsers cap keepalive bodies at 64 KiB.
        keepalive: byteLength(json) <= options.keepaliveMaxBytes,
        signal: abort.signal,
      });
    } catch (cause) {
      failed(batch.length, true, undefined, undefined, cause);
      return { kind: 'retry', retryAfterMs: undefined };
    } finally {
      clearTimeout(timeout);
    }
    if (res.ok) {
      if (res.status === 202) await reportRejections(res);
      return { kind: 'done' };
    }
    const retry = res.status === 429 || res.status >= 500;
    failed(batch.length, retry, res.status, await errorCode(res));
    return retry ? { kind: 'retry', retryAfterMs: retryAfterMs(res.headers.get('retry-after')) } : { kind: 'done' };
  }

  /** A 202 may still refuse single events (they are not retried: they would fail again). */
  async function reportRejections(res: Response): Promise<void> {
    if (!onError) return;
    try {
      const answer = (await res.json()) as { rejected?: { code?: string }[] };
      const rejected = Array.isArray(answer.rejected) ? answer.rejected : [];
      if (rejected.length) failed(rejected.length, false, res.status, rejected[0]?.code);
    } catch {
      // The events were accepted; an unreadable body changes nothing.
    }
  }

  return {
    enqueue(event) {
      if (closed) return event.event_id;
      if (queue.length >= options.maxQueue) {
        failed(1, false, undefined, 'queue_full');
        return event.event_id;
      }
      queue.push({ seq: ++lastSeq, event });
      schedule();
      return event.event_id;
    },

    flush() {
      const last = queue[queue.length - 1];
      if (closed || !last) return Promise.resolve();
      return new Promise<void>((resolve) => {
        waiters.push({ seq: last.seq, resolve });
        schedule();
      });
    },

    handOver(sendChunk, maxBytes) {
      const handedOver: Queued<E>[] = [];
      let start = 0;
      while (start < queue.length) {
        let chunk = queue.slice(start, start + maxBatch);
        let json = body(chunk.map((item) => item.event));
        while (chunk.length > 1 && byteLength(json) > maxBytes) {
          chunk = chunk.slice(0, Math.ceil(chunk.length / 2));
          json = body(chunk.map((item) => item.event));
        }
        let accepted = false;
        try {
          accepted = sendChunk(json);
        } catch {
          accepted = false;
        }
        if (!accepted) break;
        handedOver.push(...chunk);
        start += chunk.length;
      }
      remove(handedOver);
    },

    close() {
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      flushTimer = retryTimer = undefined;
      closed = true;
      const left = queue.map((item) => item.event);
      remove(queue.slice());
      for (const waiter of waiters.splice(0)) waiter.resolve();
      return left;
    },

    get closed() {
      return closed;
    },

    get pending() {
      return queue.length;
    },

    body,
  };
}
