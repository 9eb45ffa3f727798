// The credential cache against a real Redis: misses are never kept, so a token issued by
// another process works at once, and a revoked one stops working.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createKeys, createRedis, CredentialStore, hashToken, newToken, whenReady } from '@thumbline/redis';

const redis = createRedis(inject('redisUrl'), 'edge');
const keys = createKeys(`t${randomUUID().slice(0, 8)}`);

afterAll(() => redis.disconnect());

describe('CredentialStore', () => {
  it('does not remember a miss: a token added elsewhere resolves on the next request', async () => {
    await whenReady(redis);
    const here = new CredentialStore(redis, keys, 60_000);
    const elsewhere = new CredentialStore(redis, keys, 60_000);
    const token = newToken('secret');
    expect(await here.resolve(token)).toBeNull();
    await elsewhere.addToken(token, { workspace_id: 'w', kind: 'secret' });
    expect(await here.resolve(token)).toMatchObject({ workspace_id: 'w', kind: 'secret' });
  });

  it('refuses tokens of the wrong shape without asking Redis, and never stores raw tokens', async () => {
    const store = new CredentialStore(redis, keys);
    const before = (await redis.info('commandstats')).match(/cmdstat_hget:calls=(\d+)/)?.[1];
    for (const junk of ['dt_nope', 'x'.repeat(100_000), `dt_${'a'.repeat(31)}!`]) {
      expect(await store.resolve(junk)).toBeNull();
    }
    const after = (await redis.info('commandstats')).match(/cmdstat_hget:calls=(\d+)/)?.[1];
    expect(after).toBe(before);
    await expect(store.addToken('dt_short', { workspace_id: 'w', kind: 'dashboard' })).rejects.toThrow();
    // A token's prefix names its kind: a secret key registered as public is refused.
    await expect(store.addToken(newToken('secret'), { workspace_id: 'w', kind: 'public' })).rejects.toThrow();
    const token = newToken('dashboard');
    await store.addToken(token, { workspace_id: 'w', kind: 'dashboard' });
    expect(await redis.hexists(keys.credentials, hashToken(token))).toBe(1);
    expect(await redis.hexists(keys.credentials, token)).toBe(0);
  });

  it('answers which token hashes are registered from Redis, past the cache, however many are asked', async () => {
    const here = new CredentialStore(redis, keys, 60_000);
    const elsewhere = new CredentialStore(redis, keys, 60_000);
    const kept = newToken('dashboard');
    const revoked = newToken('dashboard');
    for (const t of [kept, revoked]) await here.addToken(t, { workspace_id: 'w', kind: 'dashboard' });
    expect(await here.resolve(revoked)).not.toBeNull(); // now in this store's cache
    await elsewhere.revoke(revoked);
    const hashes = [kept, revoked].map(hashToken);
    const filler = Array.from({ length: 1500 }, (_, i) => hashToken(`none-${i}`));
    const found = await here.registered([...hashes, ...filler]);
    expect([...found.keys()]).toEqual([hashToken(kept)]);
    expect(found.get(hashToken(kept))).toEqual({ workspace_id: 'w', kind: 'dashboard' });
  });

  it('forgets a revoked token at once in the process that revoked it', async () => {
    const store = new CredentialStore(redis, keys, 60_000);
    const token = newToken('dashboard');
    await store.addToken(token, { workspace_id: 'w', kind: 'dashboard' });
    expect(await store.resolve(token)).not.toBeNull();
    expect(await store.revoke(token)).toBe(1);
    expect(await store.resolve(token)).toBeNull();
  });
});
