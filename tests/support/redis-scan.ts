// The marker scans of the erasure tests: every Redis key of an install holding a value.
import type { RedisClient } from '@thumbline/redis';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const fromBase64 = (v: string) => Buffer.from(v, 'base64').toString('latin1');

/** Every Redis key under `prefix` (BullMQ's included) with `needle` in its name or value, as "key (type)". */
export async function redisKeysHolding(redis: RedisClient, prefix: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const values: string[] =
        type === 'string'
          ? [(await redis.get(key)) ?? '']
          : type === 'hash'
            ? Object.entries(await redis.hgetall(key)).flat()
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrangebyscore(key, '-inf', '+inf')
                  : type === 'stream'
                    ? ((await redis.xrange(key, '-', '+')) as [string, string[]][]).flatMap(([, f]) => f)
                    : [`<${type}>`];
      // A value may be base64 (the Socket.IO adapter's session records are base64 msgpack):
      // looked at decoded too, where the needle's bytes would be plain.
      const decoded = values.filter((v) => v.length >= 8 && BASE64.test(v)).map(fromBase64);
      if (key.includes(needle) || [...values, ...decoded].some((v) => v.includes(needle)))
        found.push(`${key} (${type})`);
    }
  } while (cursor !== '0');
  return found;
}
