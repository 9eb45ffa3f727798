// Dedup and latest-wins state (ADR 0007, ADR 0010), on real Redis: resolved in the worker and
// committed only if unchanged since read, so concurrent workers never double-count; kept in
// generation hashes that close on a byte budget, so what one generation wrote is found in the
// next (a budget of one byte here: every commit closes its generation).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Redis } from 'ioredis';
import { applyState, type Archive, type StateOptions } from '@thumbline/batch';
import type { BatchItem } from '@thumbline/events';
import { createKeys, createRedis, whenReady, type Keys, type RedisClient } from '@thumbline/redis';

/** These tests never drop a generation: nothing may be asked of an archive. */
const noArchive: Archive = {
  states: async (_kind, fields) => {
    if (fields.length > 0) throw new Error('no archive in this test');
    return new Map();
  },
  archivePartition: async (_keys, upTo) => {
    if (upTo !== undefined) throw new Error('no archive in this test');
  },
};
const long: StateOptions = { generationSeconds: 3600, generationBytes: 1024 ** 3, recordTtlSeconds: 60 };
const applyBatch = (redis: RedisClient, keys: Keys, batchId: string, items: BatchItem[], state: StateOptions) =>
  applyState({ redis, keys, state, archive: noArchive }, batchId, items);
let redis: Redis;

beforeAll(async () => {
  redis = createRedis(inject('redisUrl'), 'queue');
  await whenReady(redis);
});
afterAll(() => redis.disconnect());

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function thumbItem(
  ws: string,
  recv: string,
  eventId: string,
  messageId: string,
  thumb: string,
  ts: number,
  conversation = 'c1',
): BatchItem {
  return {
    w: ws,
    r: recv,
    e: { event_id: eventId, type: 'message.feedback', ts, conversation_id: conversation, message_id: messageId, thumb },
  };
}

describe('batch state', () => {
  it('find the previous generation’s event ids and message state once a generation closed on its budget', async () => {
    const keys = createKeys(`g${randomUUID().slice(0, 8)}`);
    const ws = 'w1';
    const ts = Date.parse('2026-11-20T10:00:00Z');
    const first = thumbItem(ws, '1', randomUUID(), 'm1', 'up', ts);
    const tiny: StateOptions = { ...long, generationBytes: 1 };
    const generation = () => redis.hget(keys.partition(keys.partitionOf('c1')).generation, 'n');

    const a = await applyBatch(redis, keys, 'b1', [first], tiny);
    expect(a.fresh).toEqual([0]);
    expect(a.conversations.map((c) => [c.thumbs_up, c.thumbs_down, c.version])).toEqual([[1, 0, 1]]);

    expect(await generation()).toBe('1'); // closed: its one commit passed the budget
    // The same event again, and a later thumb on the same message, one generation later.
    const flip = thumbItem(ws, '2', randomUUID(), 'm1', 'down', ts + 1000);
    const b = await applyBatch(redis, keys, 'b2', [first, flip], tiny);
    expect(b.fresh).toEqual([1]);
    expect(b.changes.map((c) => [c.thumbs_up, c.thumbs_down])).toEqual([
      [-1, 0],
      [0, 1],
    ]);
    expect(b.conversations.map((c) => [c.thumbs_up, c.thumbs_down, c.version])).toEqual([[0, 1, 2]]);

    expect(await generation()).toBe('2');
  });

  it('workers racing on the same message and event ids count each event once and the latest thumb once', async () => {
    const keys = createKeys(`r${randomUUID().slice(0, 8)}`);
    // Two connections: two worker processes, whose commits can interleave.
    const other = createRedis(inject('redisUrl'), 'queue');
    await whenReady(other);
    const ts = Date.parse('2026-11-20T10:00:00Z');
    const results = [];
    try {
      for (let k = 0; k < 30; k++) {
        const shared = randomUUID();
        const a = [
          thumbItem('w', `${k}-1`, shared, 'm1', 'up', ts + k * 10),
          thumbItem('w', `${k}-2`, randomUUID(), 'm1', 'down', ts + k * 10 + 1),
        ];
        const b = [
          thumbItem('w', `${k}-3`, shared, 'm1', 'up', ts + k * 10),
          thumbItem('w', `${k}-4`, randomUUID(), 'm1', 'up', ts + k * 10 + 2),
        ];
        results.push(
          ...(await Promise.all([
            applyBatch(redis, keys, `a${k}`, a, long),
            applyBatch(other, keys, `b${k}`, b, long),
          ])),
        );
      }
    } finally {
      other.disconnect();
    }
    // 30 shared ids + 60 own ids, each fresh exactly once.
    expect(results.reduce((n, r) => n + r.fresh.length, 0)).toBe(90);
    // Every change retracts what was counted before: the net is the latest thumb (up, at k=29).
    const changes = results.flatMap((r) => r.changes);
    const net = [sum(changes.map((c) => c.thumbs_up)), sum(changes.map((c) => c.thumbs_down))];
    expect(net).toEqual([1, 0]);
    const last = results.flatMap((r) => r.conversations).sort((x, y) => y.version - x.version)[0];
    expect([last?.thumbs_up, last?.thumbs_down]).toEqual([1, 0]);
  });

  it('give a retried batch exactly the resolution it committed', async () => {
    const keys = createKeys(`c${randomUUID().slice(0, 8)}`);
    const ts = Date.parse('2026-11-20T10:00:00Z');
    await applyBatch(redis, keys, 'first', [thumbItem('w', '1', randomUUID(), 'm1', 'up', ts)], long);
    // The thumb moves to another conversation (of the same partition: a message's state lives in
    // its conversation's partition, ADR 0009), a CSAT is rated twice, one event is a duplicate.
    const c2 = Array.from({ length: 1000 }, (_, i) => `c${i + 2}`).find(
      (c) => keys.partitionOf(c) === keys.partitionOf('c1'),
    ) as string;
    const moved = thumbItem('w', '2', randomUUID(), 'm1', 'down', ts + 1, c2);
    const rating = (score: number, at: number): BatchItem => ({
      w: 'w',
      r: `3-${score}`,
      e: { event_id: randomUUID(), type: 'conversation.csat', ts: at, conversation_id: c2, score, reason: 'slow' },
    });
    const items = [moved, rating(2, ts), rating(4, ts + 5), moved];
    const committed = await applyBatch(redis, keys, 'second', items, long);
    expect(committed.fresh).toEqual([0, 1, 2]);
    expect(committed.changes.map((c) => c.conversation_id)).toEqual(['c1', c2, c2, c2, c2]);
    const retried = await applyBatch(redis, keys, 'second', items, long);
    expect(retried).toEqual(committed);
  });

  it('close a generation on the bytes Redis really holds for it, not on the overcounting estimate', async () => {
    const keys = createKeys(`r${randomUUID().slice(0, 8)}`);
    const ws = 'w1';
    const ts = Date.parse('2026-11-20T10:00:00Z');
    const budget = 64 * 1024;
    const state: StateOptions = { ...long, generationBytes: budget };
    // One conversation, so every batch lands in one partition; a thumb on a new message each.
    const part = keys.partition(keys.partitionOf('c1'));
    const generation = async () => Number((await redis.hget(part.generation, 'n')) ?? 0);
    /** Bytes of the current generation's buckets (both kinds), as MEMORY USAGE reports them. */
    const realBytes = async (g: number) => {
      const names = [
        ...(await redis.keys(`${part.state('msgs', g)}:*`)),
        ...(await redis.keys(`${part.state('convs', g)}:*`)),
      ];
      return sum(await Promise.all(names.map(async (k) => Number((await redis.memory('USAGE', k)) ?? 0))));
    };
    // The estimate (~72 B per write more than a listpack entry costs, every rewrite counted
    // again) passes the budget long before Redis holds it; the generation closes on what Redis
    // really holds: at 90 % of the budget or more, and at most one batch past it.
    let closedAt = -1;
    for (let b = 0; b < 400 && closedAt < 0; b++) {
      const g = await generation();
      const items = Array.from({ length: 20 }, (_, i) =>
        thumbItem(ws, `${b}-${i}`, randomUUID(), `m${b}-${i}`, 'up', ts),
      );
      await applyBatch(redis, keys, `b${b}`, items, state);
      if ((await generation()) !== g) closedAt = await realBytes(g);
    }
    expect(closedAt).toBeGreaterThanOrEqual(budget * 0.9);
    expect(closedAt).toBeLessThan(budget * 1.2);
  });
});
