import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createServerClient } from './server.ts';
import type { ThumblineEvent } from './types.ts';

const NOW = Date.parse('2026-11-24T10:00:00Z');

function fakeFetch(statuses: { status: number; retryAfter?: string }[] = []) {
  const calls: { headers: Record<string, string>; events: ThumblineEvent[]; at: number }[] = [];
  const fetch = vi.fn(async (_url: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({
      headers: init.headers as Record<string, string>,
      events: (JSON.parse(String(init.body)) as { events: ThumblineEvent[] }).events,
      at: Date.now(),
    });
    const { status, retryAfter } = statuses.shift() ?? { status: 202 };
    return new Response(JSON.stringify(status === 202 ? { accepted: 1, rejected: [] } : { error: { code: 'x' } }), {
      status,
      headers: retryAfter ? { 'Retry-After': retryAfter } : {},
    });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

beforeEach(() => vi.useFakeTimers({ now: NOW }));
afterEach(() => vi.useRealTimers());

describe('createServerClient', () => {
  it('sends message.created with sources and per-call overrides, with the secret key', async () => {
    const { fetch, calls } = fakeFetch();
    const client = createServerClient({ baseUrl: 'https://tl.example/', secretKey: 'sk_1', widgetId: 'w', fetch });
    const id = client.messageCreated('c1', 'm1', 'assistant', {
      text: 'We ship to Canada.',
      sources: [{ id: 'kb-1', url: 'https://help.example.com/1' }],
      ts: new Date(NOW - 1000),
      locale: 'en-CA',
    });
    client.messageFeedback('c1', 'm1', 'up', { eventId: '00000000-0000-4000-8000-000000000001', widgetId: 'w2' });
    await client.flush();
    expect(calls[0]!.headers).toMatchObject({ Authorization: 'Bearer sk_1' });
    expect(calls[0]!.events).toEqual([
      {
        event_id: id,
        ts: NOW - 1000,
        conversation_id: 'c1',
        widget_id: 'w',
        locale: 'en-CA',
        type: 'message.created',
        message_id: 'm1',
        role: 'assistant',
        text: 'We ship to Canada.',
        sources: [{ id: 'kb-1', url: 'https://help.example.com/1' }],
      },
      expect.objectContaining({ event_id: '00000000-0000-4000-8000-000000000001', widget_id: 'w2', thumb: 'up' }),
    ]);
  });

  it('refuses sources on a shopper message and an unknown role', () => {
    const client = createServerClient({ baseUrl: 'https://tl.example', secretKey: 'sk_1', fetch: fakeFetch().fetch });
    expect(() => client.messageCreated('c', 'm', 'shopper', { sources: [{ id: 'x' }] })).toThrow(TypeError);
    expect(() => client.messageCreated('c', 'm', 'bot' as 'agent')).toThrow(TypeError);
    expect(client.pending).toBe(0);
  });

  it("waits the server's Retry-After on 429 and resends the same ids", async () => {
    const { fetch, calls } = fakeFetch([{ status: 429, retryAfter: '7' }]);
    const client = createServerClient({ baseUrl: 'https://tl.example', secretKey: 'sk_1', fetch });
    client.conversationResolved('c1');
    const flushed = client.flush();
    await vi.advanceTimersByTimeAsync(6999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await flushed;
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBe(7000);
    expect(calls[1]!.events).toEqual(calls[0]!.events);
  });

  it('shutdown() flushes, and says how many events it had to leave when Thumbline stays down', async () => {
    const down = vi.fn(async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const client = createServerClient({ baseUrl: 'https://tl.example', secretKey: 'sk_1', fetch: down });
    client.conversationStarted('c1');
    client.conversationResolved('c1');
    const left = client.shutdown({ timeoutMs: 5000 });
    await vi.advanceTimersByTimeAsync(5000);
    await expect(left).resolves.toBe(2);
    const ok = fakeFetch();
    const healthy = createServerClient({ baseUrl: 'https://tl.example', secretKey: 'sk_1', fetch: ok.fetch });
    healthy.conversationStarted('c2');
    await expect(healthy.shutdown()).resolves.toBe(0);
    expect(ok.calls).toHaveLength(1);
  });
});
