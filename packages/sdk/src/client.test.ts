import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BASE_BACKOFF_MS, backoffMs, createThumbline, MAX_BACKOFF_MS, ThumblineError } from './client.ts';
import type { WidgetEvent } from './types.ts';

const BASE = 'https://tl.example';
const KEY = 'pk_test';
const NOW = Date.parse('2026-11-24T10:00:00Z');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Reply = number | Error | { status: number; headers?: Record<string, string>; body?: unknown };

interface Call {
  url: string;
  init: RequestInit;
  events: WidgetEvent[];
}

/** A fetch that answers from `replies` in order (then 202) and records every call. */
function fakeFetch(replies: Reply[] = []) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const events = typeof init.body === 'string' ? (JSON.parse(init.body) as { events: WidgetEvent[] }).events : [];
    calls.push({ url: String(input), init, events });
    const reply = replies.shift() ?? 202;
    if (reply instanceof Error) throw reply;
    const { status, headers = {}, body } = typeof reply === 'number' ? { status: reply } : reply;
    const payload =
      body ?? (status < 300 ? { accepted: events.length, rejected: [] } : { error: { code: 'x', message: 'x' } });
    return new Response(JSON.stringify(payload), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
  });
  return { fetch: fn as unknown as typeof fetch, calls };
}

const ids = (events: WidgetEvent[]) => events.map((e) => e.event_id);

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('batching', () => {
  it('sends queued events as one batch after the flush interval, in call order', async () => {
    const { fetch, calls } = fakeFetch();
    const tl = createThumbline({ baseUrl: `${BASE}/`, publicKey: KEY, widgetId: 'w1', locale: 'de-DE', fetch });
    tl.conversationStarted('c1', { channel: 'web' });
    vi.advanceTimersByTime(100);
    tl.messageFeedback('c1', 'm1', 'up');
    tl.messageFeedback('c1', 'm1', 'none');
    tl.conversationResolved('c1');
    tl.csatPrompted('c1');
    tl.csat('c1', { thumb: 'down' }, '  Wrong size advice ');
    tl.csat('c2', { score: 4 });
    expect(tl.pending).toBe(7);

    await vi.advanceTimersByTimeAsync(899);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);

    const [call] = calls;
    expect(call!.url).toBe(`${BASE}/v1/events`);
    expect(call!.init).toMatchObject({
      method: 'POST',
      keepalive: true,
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    });
    expect(call!.events).toEqual([
      {
        event_id: expect.stringMatching(UUID),
        ts: NOW,
        conversation_id: 'c1',
        type: 'conversation.started',
        channel: 'web',
        widget_id: 'w1',
        locale: 'de-DE',
      },
      expect.objectContaining({ type: 'message.feedback', message_id: 'm1', thumb: 'up', ts: NOW + 100 }),
      expect.objectContaining({ type: 'message.feedback', message_id: 'm1', thumb: 'none' }),
      expect.objectContaining({ type: 'conversation.resolved', conversation_id: 'c1' }),
      {
        event_id: expect.stringMatching(UUID),
        ts: NOW + 100,
        conversation_id: 'c1',
        type: 'conversation.csat_prompted',
        widget_id: 'w1',
        locale: 'de-DE',
      },
      expect.objectContaining({ type: 'conversation.csat', thumb: 'down', reason: 'Wrong size advice' }),
      expect.objectContaining({ type: 'conversation.csat', conversation_id: 'c2', score: 4 }),
    ]);
    expect(call!.events[6]).not.toHaveProperty('thumb');
    expect(tl.pending).toBe(0);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toHaveLength(1); // nothing queued, nothing sent
  });

  it('leaves widget_id and locale out when they are not set', async () => {
    const { fetch, calls } = fakeFetch();
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch });
    tl.conversationResolved('c1');
    await tl.flush();
    expect(calls[0]!.events[0]).not.toHaveProperty('widget_id');
    expect(calls[0]!.events[0]).not.toHaveProperty('locale');
  });

  it('sends a full batch at once and never more than maxBatch per request', async () => {
    const { fetch, calls } = fakeFetch();
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, maxBatch: 3 });
    const sent = Array.from({ length: 7 }, (_, i) => tl.messageFeedback('c1', `m${i}`, 'up'));
    await vi.advanceTimersByTimeAsync(0);
    // Two full batches went out back to back, without waiting for the interval.
    expect(calls.map((c) => c.events.length)).toEqual([3, 3]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.map((c) => c.events.length)).toEqual([3, 3, 1]);
    expect(calls.flatMap((c) => ids(c.events))).toEqual(sent);
  });

  it('keeps one request in flight at a time', async () => {
    let release!: () => void;
    const calls: string[][] = [];
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      calls.push(ids((JSON.parse(String(init?.body)) as { events: WidgetEvent[] }).events));
      if (calls.length === 1) await new Promise<void>((ok) => (release = ok));
      return new Response('{"accepted":1,"rejected":[]}', { status: 202 });
    }) as unknown as typeof globalThis.fetch;
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, maxBatch: 2 });
    const a = [tl.messageFeedback('c', 'm1', 'up'), tl.messageFeedback('c', 'm2', 'up')];
    const b = [tl.messageFeedback('c', 'm3', 'up'), tl.messageFeedback('c', 'm4', 'up')];
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toEqual([a]);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([a, b]);
  });

  it('flush() sends at once and resolves when delivered', async () => {
    const { fetch, calls } = fakeFetch();
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch });
    tl.conversationStarted('c1');
    let done = false;
    const flushed = tl.flush().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await flushed;
    expect(done).toBe(true);
    await expect(tl.flush()).resolves.toBeUndefined(); // empty queue
  });
});

describe('event ids', () => {
  it('are unique UUIDs, generated at the call', async () => {
    const { fetch, calls } = fakeFetch();
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, maxBatch: 500 });
    const returned = Array.from({ length: 1000 }, (_, i) => tl.messageFeedback('c', `m${i}`, 'down'));
    await tl.flush();
    const sent = calls.flatMap((c) => ids(c.events));
    expect(sent).toEqual(returned);
    expect(new Set(sent).size).toBe(1000);
    for (const id of sent) expect(id).toMatch(UUID);
  });
});

describe('retries', () => {
  it('retries a 503 after Retry-After with the same event ids, then succeeds', async () => {
    const onError = vi.fn();
    const { fetch, calls } = fakeFetch([{ status: 503, headers: { 'Retry-After': '2' } }, 202]);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, onError });
    const first = [tl.conversationStarted('c1'), tl.messageFeedback('c1', 'm1', 'down')];

    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(onError).toHaveBeenCalledWith(expect.any(ThumblineError));
    expect(onError.mock.calls[0]![0].details).toMatchObject({ status: 503, retrying: true, dropped: 0 });

    const later = tl.conversationResolved('c1'); // queued during the backoff: goes after the retried ones
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    expect(ids(calls[1]!.events)).toEqual([...first, later]);
    expect(calls[1]!.events.slice(0, 2)).toEqual(calls[0]!.events); // byte-for-byte the same events
    expect(tl.pending).toBe(0);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(2);
  });

  it('retries network errors and 429 with growing backoff', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(1); // no jitter: 500, 1000, 2000 ms
    const { fetch, calls } = fakeFetch([new TypeError('fetch failed'), 429, 500, 202]);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch });
    const id = tl.conversationStarted('c1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toHaveLength(4);
    expect(calls.map((c) => ids(c.events))).toEqual([[id], [id], [id], [id]]);
    expect(tl.pending).toBe(0);
  });

  it('doubles the backoff from 0.5 s up to 30 s, with jitter', () => {
    const top = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffMs(n, () => 1));
    expect(top).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffMs(1, () => 0)).toBe(BASE_BACKOFF_MS / 2);
    expect(backoffMs(12, () => 0)).toBe(MAX_BACKOFF_MS / 2);
  });

  it('does not retry a 400 and drops its events', async () => {
    const onError = vi.fn();
    const { fetch, calls } = fakeFetch([
      { status: 400, body: { error: { code: 'invalid_body', message: 'no' } } },
      202,
    ]);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, onError });
    tl.conversationStarted('c1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(tl.pending).toBe(0);
    expect(onError.mock.calls[0]![0].details).toMatchObject({ status: 400, code: 'invalid_body', retrying: false });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(calls).toHaveLength(1);

    // The client keeps working for later events.
    const next = tl.conversationResolved('c1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids(calls[1]!.events)).toEqual([next]);
  });

  it('drops events a 202 rejected one by one', async () => {
    const onError = vi.fn();
    const { fetch, calls } = fakeFetch([
      { status: 202, body: { accepted: 1, rejected: [{ index: 1, code: 'csat_disabled', message: 'off' }] } },
    ]);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, onError });
    tl.conversationResolved('c1');
    tl.csat('c1', { thumb: 'up' });
    await tl.flush();
    expect(calls).toHaveLength(1);
    expect(tl.pending).toBe(0);
    expect(onError.mock.calls[0]![0].details).toMatchObject({ code: 'csat_disabled', dropped: 1, retrying: false });
  });
});

describe('page hide', () => {
  function page() {
    const win = new EventTarget();
    const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
    vi.stubGlobal('window', win);
    vi.stubGlobal('document', doc);
    const hide = () => {
      doc.visibilityState = 'hidden';
      doc.dispatchEvent(new Event('visibilitychange'));
    };
    return { win, doc, hide };
  }

  async function beaconEvents(beacon: ReturnType<typeof vi.fn>, call = 0): Promise<WidgetEvent[]> {
    const blob = beacon.mock.calls[call]![1] as Blob;
    return (JSON.parse(await blob.text()) as { events: WidgetEvent[] }).events;
  }

  it('sends the queue with sendBeacon when the page is hidden', async () => {
    const { hide } = page();
    const { fetch, calls } = fakeFetch();
    const beacon = vi.fn((_url: string, _data: Blob) => true);
    const tl = createThumbline({ baseUrl: BASE, publicKey: 'pk/needs+escaping', fetch, beacon });
    const sent = [tl.messageFeedback('c1', 'm1', 'up'), tl.conversationResolved('c1')];
    hide();
    expect(beacon).toHaveBeenCalledTimes(1);
    const [url, blob] = beacon.mock.calls[0]!;
    expect(url).toBe(`${BASE}/v1/events?key=pk%2Fneeds%2Bescaping`);
    expect(blob.type).toBe('text/plain');
    expect(ids(await beaconEvents(beacon))).toEqual(sent);
    expect(tl.pending).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(0); // handed over: not sent twice
  });

  it('also on pagehide, and not for a visible page', () => {
    const { win, doc } = page();
    const beacon = vi.fn(() => true);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch: fakeFetch().fetch, beacon });
    tl.conversationStarted('c1');
    doc.dispatchEvent(new Event('visibilitychange')); // still visible
    expect(beacon).not.toHaveBeenCalled();
    win.dispatchEvent(new Event('pagehide'));
    expect(beacon).toHaveBeenCalledTimes(1);
  });

  it('keeps events queued when sendBeacon refuses them, and sends them later', async () => {
    const { hide } = page();
    const { fetch, calls } = fakeFetch();
    const beacon = vi.fn(() => false);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, beacon });
    const id = tl.conversationStarted('c1');
    hide();
    expect(beacon).toHaveBeenCalledTimes(1);
    expect(tl.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ids(calls[0]!.events)).toEqual([id]);
  });

  it('splits the queue into beacons of at most maxBatch events, stopping at a refusal', async () => {
    const { hide } = page();
    let accepted = 2;
    const beacon = vi.fn((_url: string, _data: Blob) => accepted-- > 0);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch: fakeFetch().fetch, beacon, maxBatch: 4 });
    // maxBatch events trigger an immediate fetch; the page hides while it is in flight.
    for (let i = 0; i < 10; i++) tl.messageFeedback('c', `m${i}`, 'up');
    hide();
    expect(beacon).toHaveBeenCalledTimes(3);
    expect((await beaconEvents(beacon, 0)).length).toBe(4);
    expect((await beaconEvents(beacon, 1)).length).toBe(4);
    expect(tl.pending).toBe(2); // the refused chunk stays queued
  });

  it('close() hands the queue over and stops listening', async () => {
    const { hide } = page();
    const beacon = vi.fn(() => true);
    const { fetch, calls } = fakeFetch();
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch, beacon });
    tl.conversationStarted('c1');
    tl.close();
    expect(beacon).toHaveBeenCalledTimes(1);
    tl.conversationResolved('c1'); // ignored after close
    hide();
    await vi.advanceTimersByTimeAsync(5000);
    expect(beacon).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(0);
  });
});

describe('config()', () => {
  const copy = {
    locale: 'de',
    title: 'Wie war Ihr Gespräch?',
    negative_reason: 'Grund',
    negative_placeholder: 'Was lief schief?',
    negative_button: 'Senden',
    after_submission: 'Danke!',
  };

  it('reads the widget config with the public key in the query', async () => {
    const config = { widget_id: 'bubble-de', csat_enabled: true, auto_end: copy };
    const { fetch, calls } = fakeFetch([{ status: 200, body: config }]);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, widgetId: 'bubble-de', locale: 'de-DE', fetch });
    await expect(tl.config()).resolves.toEqual(config);
    expect(calls[0]!.url).toBe(`${BASE}/v1/widgets/bubble-de/config?locale=de-DE&key=pk_test`);
    expect(calls[0]!.init).toMatchObject({ method: 'GET', cache: 'no-store' });
  });

  it('uses the default widget and rejects with the error code', async () => {
    const { fetch, calls } = fakeFetch([{ status: 401, body: { error: { code: 'unauthorized', message: 'no' } } }]);
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch });
    await expect(tl.config()).rejects.toMatchObject({ details: { status: 401, code: 'unauthorized' } });
    expect(calls[0]!.url).toBe(`${BASE}/v1/widgets/default/config?key=pk_test`);
  });
});

describe('arguments', () => {
  it('refuses invalid ratings and missing ids', () => {
    const tl = createThumbline({ baseUrl: BASE, publicKey: KEY, fetch: fakeFetch().fetch });
    expect(() => tl.csat('c1', { score: 6 })).toThrow(TypeError);
    expect(() => tl.csat('c1', { score: 2.5 })).toThrow(TypeError);
    expect(() => tl.messageFeedback('c1', '', 'up')).toThrow(TypeError);
    expect(() => tl.conversationStarted('')).toThrow(TypeError);
    expect(tl.pending).toBe(0);
  });
});
