import { byteLength, clampBatch, createDelivery, errorCode, requireText, ThumblineError } from './delivery.ts';
import { widgetEventCalls, type WidgetEventCalls } from './event-builders.ts';
import type { WidgetConfig, WidgetEvent } from './types.ts';

export { BASE_BACKOFF_MS, backoffMs, MAX_BACKOFF_MS, ThumblineError } from './delivery.ts';

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

export interface ThumblineClient extends WidgetEventCalls {
  /**
   * The widget's current config (CSAT prompt on/off and its copy for `locale`), never
   * cached. `widgetId` and `locale` default to the client's.
   */
  config(of?: { widgetId?: string | undefined; locale?: string | undefined }): Promise<WidgetConfig>;
  /**
   * Sends the queue now. Resolves once every event queued before the call was delivered
   * or dropped (rejected by the server); while the server is unreachable it keeps retrying.
   */
  flush(): Promise<void>;
  /** Hands queued events to one last send (beacon, else fetch keepalive) and stops. */
  close(): void;
  /** Events queued and not yet confirmed by the server. */
  readonly pending: number;
  /** The client's options: where it sends, with which key, for which widget and locale. */
  readonly options: Readonly<Pick<ThumblineOptions, 'baseUrl' | 'publicKey' | 'widgetId' | 'locale'>>;
}

/** A request still unanswered after this long is abandoned and retried. */
const REQUEST_TIMEOUT_MS = 15_000;
/** A shopper's tab never holds more than this many unsent events. */
const MAX_QUEUE = 1000;
/** Browsers refuse keepalive requests and beacons above 64 KiB in flight; stay below. */
const KEEPALIVE_MAX_BYTES = 60_000;

function defaultBeacon(): ((url: string, data: Blob) => boolean) | undefined {
  if (typeof navigator === 'undefined' || typeof navigator.sendBeacon !== 'function') return undefined;
  return (url, data) => navigator.sendBeacon(url, data);
}

/**
 * A Thumbline client for a storefront widget (public key). Events are batched and retried
 * by the shared delivery queue (delivery.ts); when the page is hidden the queue goes out
 * through `navigator.sendBeacon`.
 */
export function createThumbline(options: ThumblineOptions): ThumblineClient {
  requireText('baseUrl', options.baseUrl);
  requireText('publicKey', options.publicKey);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const { publicKey, widgetId, locale } = options;
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const beacon = options.beacon === false ? undefined : (options.beacon ?? defaultBeacon());
  const eventsUrl = `${baseUrl}/v1/events`;
  const beaconUrl = `${eventsUrl}?key=${encodeURIComponent(publicKey)}`;
  const maxBatch = clampBatch(options.maxBatch, 50);
  const delivery = createDelivery<WidgetEvent>({
    eventsUrl,
    key: publicKey,
    fetch: doFetch,
    flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 1000),
    maxBatch,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxQueue: MAX_QUEUE,
    keepaliveMaxBytes: KEEPALIVE_MAX_BYTES,
    onError: options.onError,
  });

  /**
   * Hands the queue to sendBeacon (the in-flight batch too: if the page is unloading, its
   * fetch may never finish, and a duplicate id counts once). What it refuses stays queued.
   */
  const beaconQueue = () => {
    if (beacon)
      delivery.handOver((json) => beacon(beaconUrl, new Blob([json], { type: 'text/plain' })), KEEPALIVE_MAX_BYTES);
  };
  const onPageHide = () => beaconQueue();
  const onVisibilityChange = () => {
    if (document.visibilityState === 'hidden') beaconQueue();
  };
  const win = typeof window !== 'undefined' && typeof window.addEventListener === 'function' ? window : undefined;
  const doc = typeof document !== 'undefined' && typeof document.addEventListener === 'function' ? document : undefined;
  win?.addEventListener('pagehide', onPageHide);
  doc?.addEventListener('visibilitychange', onVisibilityChange);

  return {
    ...widgetEventCalls((event) => delivery.enqueue(event), { widgetId, locale }),

    async config(of = {}) {
      const { widgetId: widget = widgetId, locale: lang = locale } = of;
      const params = new URLSearchParams();
      if (lang !== undefined) params.set('locale', lang);
      params.set('key', publicKey);
      const url = `${baseUrl}/v1/widgets/${encodeURIComponent(widget ?? 'default')}/config?${params}`;
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

    flush: () => delivery.flush(),

    close() {
      if (delivery.closed) return;
      win?.removeEventListener('pagehide', onPageHide);
      doc?.removeEventListener('visibilitychange', onVisibilityChange);
      beaconQueue();
      const left = delivery.close();
      // What the beacon refused (or all, without one) gets one last keepalive fetch.
      for (let start = 0; start < left.length; start += maxBatch) {
        const body = delivery.body(left.slice(start, start + maxBatch));
        doFetch(eventsUrl, {
          method: 'POST',
          headers: { Authorization: `Bearer ${publicKey}`, 'Content-Type': 'application/json' },
          body,
          keepalive: byteLength(body) <= KEEPALIVE_MAX_BYTES,
        }).catch(() => undefined);
      }
    },

    get pending() {
      return delivery.pending;
    },

    options: { baseUrl, publicKey, widgetId, locale },
  };
}
