// The archive filter in a real Redis: no false negatives, few false positives at its design
// load, a size fixed by its creator, and no filter for a partition that archived without one.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
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

describe('archive filter', () => {
  it('answers every archived field, and few of the others at 10 bits per field', async () => {
    const keys = createKeys(`af${randomUUID().slice(0, 8)}`, 2).partition(1);
    const archived = [...fields(20_000), stateField('w', 'c-1'), stateField('w', 'conversation "2"')];
    // 10 bits per field: 1 % false positives by design.
    await addArchived(redis, keys, (archived.length * 10) / 8, archived);
    expect(await maybeArchived(redis, keys, archived)).toEqual(archived);
    const others = fields(20_000);
    const positives = (await maybeArchived(redis, keys, others)).length;
    expect(positives / others.length).toBeLessThan(0.02);
  });

  it('keeps the size its creator set, whatever a later caller asks', async () => {
    const keys = createKeys(`af${randomUUID().slice(0, 8)}`, 1).partition(0);
    await addArchived(redis, keys, 1024, fields(10));
    const other = createKeys(keys.stream.slice(1, keys.stream.indexOf(':')), 1).partition(0);
    const late = fields(50);
    await addArchived(redis, other, 1024 * 1024, late);
    expect(await redis.get(keys.archiveFilterBits)).toBe(String(1024 * 8));
    expect(await maybeArchived(redis, keys, late)).toEqual(late);
  });

  it('has no filter (every field may be archived) where state was archived before one existed', async () => {
    const keys = createKeys(`af${randomUUID().slice(0, 8)}`, 1).partition(0);
    await redis.set(keys.archived, '3');
    const some = fields(5);
    await addArchived(redis, keys, 1024, some);
    expect(await redis.exists(keys.archiveFilterBits)).toBe(0);
    const asked = fields(7);
    expect(await maybeArchived(redis, keys, asked)).toEqual(asked);
  });

  it('probes spread over the whole filter', () => {
    const seen = new Set<number>();
    for (const f of fields(2000)) for (const p of probes(f, 1000)) seen.add(Math.floor(p / 100));
    expect(seen.size).toBe(10);
    for (const f of fields(100)) for (const p of probes(f, 77)) expect(p >= 0 && p < 77).toBe(true);
  });
});
