// The alerts' Lua scripts (lua/), run the one way every package runs Lua (packages/redis scripts.ts).
import { luaScripts, runLua, script, type RedisClient } from '@thumbline/redis';

const SCRIPTS = luaScripts(new URL('./lua/', import.meta.url));
const NAMES = {
  createRule: 'create-rule',
  createDelivery: 'create-delivery',
  updateDelivery: 'update-delivery',
  releaseLock: 'release-lock',
  reserveDelivery: 'reserve-delivery',
} as const;
// Every name resolves at load: a missing file fails the process start, not its first alert.
const BY_NAME = new Map(Object.entries(NAMES).map(([name, file]) => [name, script(SCRIPTS, file)]));

/** Runs one of the alerts' scripts; `args` are its KEYS, then its ARGV (the count of KEYS comes from its header). */
export async function runScript(
  redis: RedisClient,
  name: keyof typeof NAMES,
  ...args: (string | number)[]
): Promise<number> {
  const s = BY_NAME.get(name);
  if (!s || s.keys === null) throw new Error(`no alerts script ${name} with a fixed number of keys`);
  return runLua<number>(redis, s, args.slice(0, s.keys).map(String), args.slice(s.keys));
}
