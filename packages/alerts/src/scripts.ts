import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisClient } from '@thumbline/redis';

const script = (name: string, numberOfKeys: number) => {
  const lua = readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
  return { lua, numberOfKeys, sha: createHash('sha1').update(lua).digest('hex') };
};

const SCRIPTS = {
  createRule: script('create-rule', 1),
  createDelivery: script('create-delivery', 2),
  updateDelivery: script('update-delivery', 1),
  releaseLock: script('release-lock', 1),
  reserveDelivery: script('reserve-delivery', 1),
} as const;

/**
 * Runs one of the alerts' Lua scripts: EVALSHA, and EVAL when Redis does not have it yet.
 * (Not ioredis's defineCommand: commands defined after a connection opens break its
 * auto-pipelining, and the shared clients are opened before this package is used.)
 */
export async function runScript(
  redis: RedisClient,
  name: keyof typeof SCRIPTS,
  ...args: (string | number)[]
): Promise<number> {
  const s = SCRIPTS[name];
  try {
    return (await redis.evalsha(s.sha, s.numberOfKeys, ...args)) as number;
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return (await redis.eval(s.lua, s.numberOfKeys, ...args)) as number;
  }
}
