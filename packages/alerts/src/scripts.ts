import { readFileSync } from 'node:fs';
import type { RedisClient } from '@thumbline/redis';

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');

const SCRIPTS = {
  tlCreateRule: { numberOfKeys: 1, lua: lua('create-rule') },
  tlCreateDelivery: { numberOfKeys: 2, lua: lua('create-delivery') },
  tlUpdateDelivery: { numberOfKeys: 1, lua: lua('update-delivery') },
  tlReleaseLock: { numberOfKeys: 1, lua: lua('release-lock') },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** The alerts' Lua scripts, defined on `redis` on first use (EVALSHA after the first call). */
export function runScript(redis: RedisClient, name: ScriptName, ...args: (string | number)[]): Promise<number> {
  const r = redis as RedisClient & Record<string, unknown>;
  if (typeof r[name] !== 'function') redis.defineCommand(name, SCRIPTS[name]);
  return (r[name] as (...a: (string | number)[]) => Promise<number>)(...args);
}
