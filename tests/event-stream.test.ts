// Requests appended in one turn of the event loop share one script call per partition
// (group commit): each must still get its own answer, in order, with its own key's limit
// applied; a request's events go to the partitions of their conversations.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  appendEvents,
  createKeys,
  createRedis,
  createRedisClient,
  whenReady,
  type RedisClient,
} from '@thumbline/redis';

let redis: RedisClient;
beforeAll(async () => {
  redis = createRedisClient(inject('redisUrl'), 'edge', { cluster: inject('redisCluster') });
  await whenReady(redis);
});
afterAll(() => redis.disconnect());

const limits = (eventsPerSecond: number) => ({
  eventsPerSecond,
  maxBacklog: 0,
  maxBacklogAgeMs: 0,
  eventsPerSecondPerClient: 0,
});

describe('appendEvents', () => {
  it('answers each request of a group on its own: its key’s limit, its own entry, in order', async () => {
    const keys = createKeys(`a${randomUUID().slice(0, 8)}`);
    // One conversation: every entry lands in one partition stream.
    const entry = (keyId: string, i: number) => ({ workspaceId: 'w', keyId, events: [{ conversation_id: 'c', i }] });
    // Issued together: one group. Key a may send 3 events this second, key b 10.
    const results = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => appendEvents(redis, keys, entry('a', i), limits(3))),
      ...Array.from({ length: 5 }, (_, i) => appendEvents(redis, keys, entry('b', 5 + i), limits(10))),
    ]);
    // A second boundary between the two halves would reset key a's counter: allow for it.
    const refused = results.filter((r) => !r.ok);
    expect(refused.every((r) => !r.ok && r.code === 'rate_limited')).toBe(true);
    expect(refused.length).toBeLessThanOrEqual(2);
    expect(results.slice(5).every((r) => r.ok)).toBe(true);
    // Each request got the id of its own entry: the entry holds the index it was sent with.
    const stream = (await redis.xrange(keys.partition(keys.partitionOf('c')).stream, '-', '+')) as [string, string[]][];
    const sent = new Map(
      stream.map(([id, f]) => [id, (JSON.parse(f[f.indexOf('ev') + 1] as string) as { i: number }[])[0]?.i]),
    );
    const appended = results.flatMap((r, i) => (r.ok ? [[r.ids[0] as string, i] as const] : []));
    expect(appended.map(([id, i]) => [id, sent.get(id) === i])).toEqual(appended.map(([id]) => [id, true]));
    expect(sent.size).toBe(appended.length);
    // A key's entries are in its call order (on a cluster, keys' rate checks are separate calls,
    // so two keys' requests of one turn may interleave either way).
    const order = (from: number) =>
      stream
        .map(([, f]) => (JSON.parse(f[f.indexOf('ev') + 1] as string) as { i: number }[])[0]?.i ?? -1)
        .filter((i) => i >= from && i < from + 5);
    for (const from of [0, 5]) expect(order(from)).toEqual([...order(from)].sort((x, y) => x - y));
  });

  it('checks and appends the requests of a turn in one script call each, with each client’s own budget', async () => {
    const keys = createKeys(`t${randomUUID().slice(0, 8)}`);
    const calls = vi.spyOn(redis, 'evalsha');
    const limit = { eventsPerSecond: 100, maxBacklog: 0, maxBacklogAgeMs: 0, eventsPerSecondPerClient: 2 };
    // One key, three clients: client x sends 3 single-event requests (one over its 2), y and z one each.
    const clients = ['x', 'x', 'x', 'y', 'z'];
    const results = await Promise.all(
      clients.map((client, i) =>
        appendEvents(
          redis,
          keys,
          { workspaceId: 'w', keyId: 'k', client, events: [{ conversation_id: 'c', i }] },
          limit,
        ),
      ),
    );
    const scriptCalls = calls.mock.calls.length;
    calls.mockRestore();
    // A second boundary inside the turn would reset client x's counter: then all five pass.
    const refused = results.map((r) => (r.ok ? 'ok' : r.code));
    expect([
      ['ok', 'ok', 'client_rate_limited', 'ok', 'ok'],
      ['ok', 'ok', 'ok', 'ok', 'ok'],
    ]).toContainEqual(refused);
    // One rate check and one append for the whole turn (one stream here, so one on a cluster too).
    expect(scriptCalls).toBe(2);
  });

  it("splits a request by its conversations' partitions, one entry each", async () => {
    const keys = createKeys(`s${randomUUID().slice(0, 8)}`, 4);
    const events = Array.from({ length: 40 }, (_, i) => ({ conversation_id: `c${i}` }));
    const res = await appendEvents(redis, keys, { workspaceId: 'w', keyId: 'k', events }, limits(0));
    expect(res.ok).toBe(true);
    let total = 0;
    for (let p = 0; p < 4; p++) {
      const entries = (await redis.xrange(keys.partition(p).stream, '-', '+')) as [string, string[]][];
      expect(entries.length).toBeLessThanOrEqual(1);
      for (const [, f] of entries) {
        const got = JSON.parse(f[f.indexOf('ev') + 1] as string) as { conversation_id: string }[];
        for (const e of got) expect(keys.partitionOf(e.conversation_id)).toBe(p);
        total += got.length;
      }
    }
    expect(total).toBe(40);
  });

  it('fails every request of a group when Redis does', async () => {
    const keys = createKeys(`f${randomUUID().slice(0, 8)}`);
    const broken = createRedis('redis://127.0.0.1:1', 'edge');
    broken.on('error', () => undefined);
    const results = await Promise.allSettled(
      [0, 1, 2].map((i) =>
        appendEvents(broken, keys, { workspaceId: 'w', keyId: 'k', events: [{ conversation_id: `c${i}` }] }, limits(0)),
      ),
    );
    broken.disconnect();
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  });
});
