// A Bloom filter per partition, in Redis, of every state field ever archived (state/archive.ts):
// "not in the filter" means "never archived", so a batch's brand-new conversations and messages
// are not looked up in ClickHouse (a lookup of a few hundred absent fields in a large archive
// reads about half its granules: ADR 0012). A Bloom filter has no false negatives: a field is
// added before the archive's watermark moves past its generation, and before its generation
// leaves Redis, so a state Redis no longer holds is always "maybe archived". False positives
// only cost a lookup that finds nothing.
//
// The filter's size is fixed when it is created (a key beside it, set once) and read back
// afterwards: a bit's place must never move, so a changed budget does not resize an existing
// filter (Redis allocates the bitmap as bits are set, up to that size). At 10 bits per field it answers 1 % false
// positives; past that many archived fields the rate rises and more lookups reach ClickHouse
// (exact, slower).
import { luaScripts, runLua, script, type PartitionKeys, type RedisClient } from '@thumbline/redis';

const FILTER = script(luaScripts(new URL('./lua/', import.meta.url)), 'archive-filter');

/** Bits per field probed (k): 1.2 % false positives at 10 bits per field (the optimum, 7, gives 0.8 % for 75 % more work). */
const PROBES = 4;
/** Fields per script call (a call blocks Redis while it runs). */
const FIELDS_PER_CALL = 5000;

/** murmur3's finaliser: every input bit affects every output bit. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two independent 32-bit hashes of a field (two multiplicative passes, each mixed); probe i is h1 + i·h2. */
function hashes(field: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 13);
  }
  return [mix(a), (mix(b ^ field.length) | 1) >>> 0];
}

/** The bits a field sets (all of which must be set for it to be "maybe archived"); archive-filter.lua computes the same. */
export function probes(field: string, bits: number): number[] {
  const [h1, h2] = hashes(field);
  return Array.from({ length: PROBES }, (_, i) => (h1 + i * h2) % bits);
}

/**
 * The filter's size in bits, fixed by whoever created it first (a racing creator reads the
 * same); null when the partition has none. `create` makes one of that many bytes, unless the
 * partition archived state before it had a filter (that filter would miss those fields).
 */
const sizes = new WeakMap<PartitionKeys, number>();
async function filterBits(redis: RedisClient, keys: PartitionKeys, create?: number): Promise<number | null> {
  const known = sizes.get(keys);
  if (known !== undefined) return known;
  if (create !== undefined && (await redis.exists(keys.archived)) === 0) {
    await redis.set(keys.archiveFilterBits, String(Math.max(8, Math.floor(create) * 8)), 'NX');
  }
  const stored = await redis.get(keys.archiveFilterBits);
  if (stored === null) return null;
  sizes.set(keys, Number(stored));
  return Number(stored);
}

/** Runs the script over fields in calls of FIELDS_PER_CALL; the checks' answers joined. */
async function run(
  redis: RedisClient,
  keys: PartitionKeys,
  mode: 'add' | 'check',
  bits: number,
  fields: readonly string[],
): Promise<string> {
  let answer = '';
  for (let i = 0; i < fields.length; i += FIELDS_PER_CALL) {
    const lines = fields
      .slice(i, i + FIELDS_PER_CALL)
      .map((f) => hashes(f).join(' '))
      .join('\n');
    answer += (await runLua<string | null>(redis, FILTER, [keys.archiveFilter], [mode, bits, PROBES, lines])) ?? '';
  }
  return answer;
}

/** Adds archived fields to the partition's filter. */
export async function addArchived(
  redis: RedisClient,
  keys: PartitionKeys,
  bytes: number,
  fields: readonly string[],
): Promise<void> {
  if (fields.length === 0) return;
  const bits = await filterBits(redis, keys, bytes);
  if (bits !== null) await run(redis, keys, 'add', bits, fields);
}

/** The fields that may have been archived (all their bits set, or the partition has no filter); the others never were. */
export async function maybeArchived(
  redis: RedisClient,
  keys: PartitionKeys,
  fields: readonly string[],
): Promise<string[]> {
  if (fields.length === 0) return [];
  const bits = await filterBits(redis, keys);
  if (bits === null) return [...fields];
  const answer = await run(redis, keys, 'check', bits, fields);
  return fields.filter((_, i) => answer[i] === '1');
}
