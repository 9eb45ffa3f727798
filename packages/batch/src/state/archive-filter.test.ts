// The archive filter in a real Redis: no false negatives, few false positives, memory that
// grows with what was archived (filters twice the size, within the budget), and no filter for
// a partition that archived without one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeys, createRedisClient, whenReady, type RedisClient } from '@thumbline/redis';
import { addArchived, maybeArchived, probes } from './archive-filter.ts';
import { stateField } from './encoding.ts';

let redis: RedisClient;
beforeAll(async () => {
  redis = createRedisClient(inject('redisUrl'), 'queue');
  await whenReady(redis);
});
afterAll(() => redis.quit());

const fields = (n: number) => Array.from({ length: n }, () => stateField('w', randomUUID()));
const partition = () => createKeys(`af${randomUUID().slice(0, 8)}`, 2).partition(1);
const filterBytes = async (keys: ReturnType<typeof partition>) => {
  const n = Number(await redis.hget(keys.archiveFilter, 'n'));
  let bytes = 0;
  for (let i = 1; i <= n; i++) bytes += await redis.strlen(`${keys.archiveFilter}:${i}`);
  return { n, bytes };
};

describe('archive filter', () => {
  it('answers every archived field, and few of the others', async () => {
    const keys = partition();
    const archived = [...fields(20_000), stateField('w', 'c-1'), stateField('w', 'conversation "2"')];
    await addArchived(redis, keys, 16 * 1024 * 1024, archived);
    expect(await maybeArchived(redis, keys, archived)).toEqual(archived);
    const others = fields(20_000);
    expect((await maybeArchived(redis, keys, others)).length / others.length).toBeLessThan(0.02);
  });

  it('grows with what was archived: filters twice the size, never past the budget, none lost', async () => {
    const keys = partition();
    const all: string[] = [];
    // 64 KiB first (52k fields), then 128 KiB (105k), then 256 KiB: 180k fields need three.
    for (let i = 0; i < 3; i++) {
      const some = fields(60_000);
      all.push(...some);
      await addArchived(redis, keys, 1024 * 1024, some);
    }
    const grown = await filterBytes(keys);
    expect(grown.n).toBe(3);
    expect(grown.bytes).toBeLessThanOrEqual((64 + 128 + 256) * 1024);
    expect(await maybeArchived(redis, keys, all)).toEqual(all);
    expect((await maybeArchived(redis, keys, fields(10_000))).length).toBeLessThan(400);
    // A small budget: one filter, which fills on (more false positives, still none missed).
    const small = partition();
    const many = fields(30_000);
    await addArchived(redis, small, 16 * 1024, many);
    expect(await filterBytes(small)).toMatchObject({ n: 1 });
    expect((await filterBytes(small)).bytes).toBeLessThanOrEqual(16 * 1024);
    expect(await maybeArchived(redis, small, many)).toEqual(many);
  });

  it('has no filter (every field may be archived) where state was archived before one existed', async () => {
    const keys = partition();
    await redis.set(keys.archived, '3');
    await addArchived(redis, keys, 1024, fields(5));
    expect(await redis.exists(keys.archiveFilter)).toBe(0);
    const asked = fields(7);
    expect(await maybeArchived(redis, keys, asked)).toEqual(asked);
  });

  it('sets exactly the bits probes() names, in Redis’s bit order, and counts the fields it holds', async () => {
    const keys = partition();
    const some = fields(300);
    await addArchived(redis, keys, 1024 * 1024, some);
    const bits = Number(await redis.hget(keys.archiveFilter, 'size_1'));
    const wanted = new Set(some.flatMap((f) => probes(f, bits)));
    const key = `${keys.archiveFilter}:1`;
    for (const bit of wanted) expect(await redis.getbit(key, bit)).toBe(1);
    expect(await redis.bitcount(key)).toBe(wanted.size);
    expect(await redis.hget(keys.archiveFilter, 'held_1')).toBe('300');
  });

  it('probes spread over the whole filter', () => {
    const seen = new Set<number>();
    for (const f of fields(2000)) for (const p of probes(f, 1000)) seen.add(Math.floor(p / 100));
    expect(seen.size).toBe(10);
    for (const f of fields(100)) for (const p of probes(f, 77)) expect(p >= 0 && p < 77).toBe(true);
  });
});
