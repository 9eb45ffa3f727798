// @thumbline/sdk/server against `npm start`'s process while a chat backend keeps sending:
// Thumbline paused (SIGSTOP), its Redis paused (Thumbline answers 503 with Retry-After),
// then Thumbline stopped and restarted on the same data dir. Every event arrives and none
// counts twice, although the client resends batches the paused server had already taken
// (their ids were fixed before the first try), and it waits as long as Retry-After says.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConversationDetail, ConversationSummary, Overview } from '@thumbline/events';
import { createServerClient, type ThumblineError, type ThumblineEvent } from '@thumbline/sdk/server';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'thumbline-sdk-e2e-'));
let port = 0;
let server: Spawned | null = null;

async function start(): Promise<void> {
  port ||= await freePort();
  server = spawnEntry('apps/server/src/main.ts', {
    PORT: String(port),
    THUMBLINE_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  });
  await server.waitFor('Thumbline is ready', 60_000);
}

afterAll(async () => {
  server?.proc.kill('SIGCONT');
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const creds = () => JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as Record<string, string>;
const base = () => `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${base()}${path}`, { headers: { authorization: `Bearer ${creds().dashboard_token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

describe('the server client while Thumbline is paused and restarted', () => {
  it('delivers every event exactly once', async () => {
    await start();
    // Every request the client makes, and how often each event id went out.
    const sends = new Map<string, number>();
    let requests = 0;
    const errors: ThumblineError[] = [];
    /** Each request: when it started and ended, and a 503's Retry-After in ms. */
    const log: { start: number; end: number; status: number | null; retryAfterMs: number | null }[] = [];
    const client = createServerClient({
      baseUrl: base(),
      secretKey: creds().secret_key!,
      widgetId: 'chat-backend',
      locale: 'en-GB',
      flushIntervalMs: 50,
      maxBatch: 20,
      // Above Thumbline's 2 s deadline for a 503 when a dependency does not answer.
      requestTimeoutMs: 3000,
      onError: (e) => errors.push(e),
      fetch: async (input, init) => {
        requests++;
        for (const e of (JSON.parse(String(init?.body)) as { events: ThumblineEvent[] }).events) {
          sends.set(e.event_id, (sends.get(e.event_id) ?? 0) + 1);
        }
        const entry = { start: Date.now(), end: 0, status: null as number | null, retryAfterMs: null as number | null };
        log.push(entry);
        try {
          const res = await fetch(input, init);
          entry.status = res.status;
          const after = res.headers.get('retry-after');
          if (after !== null) entry.retryAfterMs = Number(after) * 1000;
          return res;
        } finally {
          entry.end = Date.now();
        }
      },
    });

    // One conversation: started, a question, an answer citing a source, a thumb, a rating.
    const expected = { up: 0, down: 0, conversations: [] as { id: string; thumb: 'up' | 'down' }[] };
    const conversation = (i: number) => {
      const id = `sdk-e2e-${i}`;
      const thumb = i % 3 === 0 ? 'down' : 'up';
      client.conversationStarted(id, { channel: 'web' });
      client.messageCreated(id, `${id}-q`, 'shopper', { text: `Question ${i}` });
      client.messageCreated(id, `${id}-a`, 'assistant', {
        text: `Answer ${i}`,
        sources: [{ id: `kb-${i % 4}`, title: `Article ${i % 4}` }],
      });
      client.messageFeedback(id, `${id}-a`, thumb);
      client.csat(id, thumb === 'up' ? { score: 5 } : { thumb: 'down' }, thumb === 'down' ? 'Wrong answer' : undefined);
      expected[thumb]++;
      expected.conversations.push({ id, thumb });
    };
    const burst = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        conversation(i);
        await sleep(20);
      }
    };

    await burst(0, 20); // running
    const paused = Date.now();
    server!.proc.kill('SIGSTOP');
    await burst(20, 60); // paused: requests hang, time out and are retried
    await sleep(3000);
    const queuedWhilePaused = client.pending;
    const retriesWhilePaused = errors.filter((e) => e.details.retrying).length;
    server!.proc.kill('SIGCONT');
    const resumed = Date.now();
    await client.flush();
    const drainedAfterResumeMs = Date.now() - resumed;

    // Redis paused: Thumbline answers 503 overloaded with Retry-After.
    const redisPid = Number(readFileSync(join(dataDir, 'redis', 'redis.pid'), 'utf8'));
    process.kill(redisPid, 'SIGSTOP');
    try {
      await burst(60, 70);
      await sleep(4000);
    } finally {
      process.kill(redisPid, 'SIGCONT');
    }
    await client.flush();
    const answered503 = log.filter((r) => r.status === 503 && r.retryAfterMs !== null);
    const tail = JSON.stringify(
      log.slice(-8).map((r) => [r.start - paused, r.end - r.start, r.status, r.retryAfterMs]),
    );
    expect(answered503.length, tail).toBeGreaterThan(0);
    // The next try after each 503 waited at least its Retry-After.
    for (const r of answered503) {
      const next = log.find((other) => other.start >= r.end);
      expect(next!.start - r.end).toBeGreaterThanOrEqual(r.retryAfterMs! - 5);
    }

    await burst(70, 80);
    expect(await server!.stop('SIGTERM')).toBe(0); // stopped: connections refused
    await burst(80, 100);
    const queuedWhileDown = client.pending;
    await start(); // the same port and data dir
    expect(await client.shutdown({ timeoutMs: 30_000 })).toBe(0);

    const resent = [...sends.values()].filter((n) => n > 1).length;
    const sentOnce = [...sends.values()].filter((n) => n === 1).length;
    // Nothing rejected, nothing dropped: every error was a retry.
    expect(errors.filter((e) => !e.details.retrying)).toEqual([]);
    expect(sends.size).toBe(100 * 5);
    // The pause really made the client resend: the test would prove nothing otherwise.
    expect(retriesWhilePaused).toBeGreaterThan(0);
    expect(queuedWhilePaused).toBeGreaterThan(0);
    expect(queuedWhileDown).toBeGreaterThan(0);

    // Counted exactly once each.
    const wanted = { up: expected.up, down: expected.down, rated: 100 };
    let overview: Overview | undefined;
    for (let i = 0; i < 100; i++) {
      overview = await api<Overview>('/v1/analytics/overview');
      if (overview.thumbs.up + overview.thumbs.down >= 100 && overview.csat.rated >= 100) break;
      await sleep(200);
    }
    expect({ up: overview!.thumbs.up, down: overview!.thumbs.down, rated: overview!.csat.rated }).toEqual(wanted);
    const { items } = await api<{ items: ConversationSummary[] }>('/v1/conversations?limit=200');
    expect(items.map((c) => c.conversation_id).sort()).toEqual(expected.conversations.map((c) => c.id).sort());
    for (const { id, thumb } of expected.conversations) {
      const detail = await api<ConversationDetail>(`/v1/conversations/${id}`);
      // Both messages may share a millisecond (ts order is then arbitrary): compare by id.
      const messages = detail.messages.map((m) => [m.message_id, m.role, m.feedback]).sort();
      expect(messages).toEqual([
        [`${id}-a`, 'assistant', thumb],
        [`${id}-q`, 'shopper', null],
      ]);
      expect(detail).toMatchObject({ thumbs_up: thumb === 'up' ? 1 : 0, thumbs_down: thumb === 'down' ? 1 : 0 });
    }

    process.stdout.write(
      `server client: ${sends.size} events in ${requests} requests; paused ${resumed - paused} ms with ` +
        `${queuedWhilePaused} events queued and ${retriesWhilePaused} failed tries (timeouts), drained ` +
        `${drainedAfterResumeMs} ms after SIGCONT; Redis paused: ${answered503.length} answers 503 with ` +
        `Retry-After ${[...new Set(answered503.map((r) => r.retryAfterMs))].join('/')} ms, next tries after ` +
        `${answered503.map((r) => log.find((o) => o.start >= r.end)!.start - r.end).join('/')} ms; ` +
        `${queuedWhileDown} queued while stopped; ` +
        `${resent} events sent more than once, ${sentOnce} once; counted: ${JSON.stringify(wanted)}\n`,
    );
  }, 180_000);
});
