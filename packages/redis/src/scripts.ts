// The one way Thumbline runs Lua in Redis: every script is a file in a package's `lua/`
// folder, named after what it does, whose header says how many keys it takes
// (`-- KEYS: <n>`, or `-- KEYS: any` when the caller passes them all) and lists each
// KEYS/ARGV entry. A package loads its folder once (`luaScripts`) and runs a script with
// `runLua`: EVALSHA, and EVAL the first time a Redis lacks it.
//
// Why not ioredis's defineCommand: commands defined on a connection after its first
// pipeline break auto-pipelining, so every script had to be defined where connections are
// created — which made the client factory import every store that has a script (an import
// circle) and scripts of later packages impossible. EVALSHA needs nothing per connection.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type { RedisClient } from './client.ts';

/** One Lua script, loaded from its file. */
export interface LuaScript {
  /** The file name without `.lua`. */
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
  /** Keys it takes, from its header; null for `any` (the call says). */
  readonly keys: number | null;
}

const KEYS_HEADER = /^-- KEYS: (\d+|any)\s*$/m;

/** Loads every `.lua` file of `dir`; refuses a file without a `-- KEYS:` header line. */
export function luaScripts(dir: URL): ReadonlyMap<string, LuaScript> {
  const scripts = new Map<string, LuaScript>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.lua'))) {
    const lua = readFileSync(new URL(file, dir), 'utf8');
    const header = KEYS_HEADER.exec(lua);
    if (!header) throw new Error(`${file}: no "-- KEYS: <n>" line in its header`);
    const name = file.slice(0, -'.lua'.length);
    scripts.set(name, {
      name,
      lua,
      sha: createHash('sha1').update(lua).digest('hex'),
      keys: header[1] === 'any' ? null : Number(header[1]),
    });
  }
  return scripts;
}

/** The script `name` of a loaded folder (a typo fails at load, not at the first call). */
export function script(scripts: ReadonlyMap<string, LuaScript>, name: string): LuaScript {
  const found = scripts.get(name);
  if (!found) throw new Error(`no Lua script ${name}`);
  return found;
}

/**
 * Runs `script` with `keys` and `args`. On a cluster the keys must share a slot (the client
 * routes the call by them).
 */
export async function runLua<T>(
  redis: RedisClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<T> {
  if (script.keys !== null && keys.length !== script.keys) {
    throw new Error(`${script.name}.lua takes ${script.keys} keys, got ${keys.length}`);
  }
  try {
    return (await redis.evalsha(script.sha, keys.length, ...keys, ...args)) as T;
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return (await redis.eval(script.lua, keys.length, ...keys, ...args)) as T;
  }
}

/** This package's scripts (lua/). */
const OWN = luaScripts(new URL('./lua/', import.meta.url));

/** Runs one of this package's scripts (lua/<name>.lua). */
export function runRedisLua<T>(
  redis: RedisClient,
  name: string,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<T> {
  return runLua<T>(redis, script(OWN, name), keys, args);
}
