// A filter per partition, in Redis, of every state field ever archived (state/archive.ts):
// "not in the filter" means "never archived", so a batch's brand-new conversations and messages
// are not looked up in ClickHouse (a lookup of a few hundred absent fields in a large archive
// reads about half its granules: ADR 0012). Bloom filters have no false negatives: a field is
// added before the archive's watermark moves past its generation, and before its generation
// leaves Redis, so a state Redis no longer holds is always "maybe archived". False positives
// only cost a lookup that finds nothing.
//
// A chain of Bloom filters (lua/archive-filter.lua), each twice the one before, so Redis holds
// about 10 bits per archived field (a small filter first, whatever the budget) up to the
// partition's share of the budget; past that the newest fills on and false positives rise
// (exact, slower). A bit's place never moves: filters are only ever added.
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

/** Bits of a partition's first filter: 64 KiB, about 52,000 fields at 1 % false positives. */
const FIRST_FILTER_BITS = 64 * 1024 * 8;

/**
 * Whether the partition keeps a filter: not when it archived state before it had one (that
 * filter would miss those fields; every lookup then goes to the archive).
 */
const kept = new WeakMap<PartitionKeys, boolean>();
async function hasFilter(redis: RedisClient, keys: PartitionKeys, creating: boolean): Promise<boolean> {
  const known = kept.get(keys);
  if (known !== undefined) return known;
  let has = (await redis.exists(keys.archiveFilter)) === 1;
  if (!has && creating && (await redis.exists(keys.archived)) === 0) {
    await redis.hsetnx(keys.archiveFilter, 'n', '0');
    has = true;
  }
  if (has || creating) kept.set(keys, has);
  return has;
}

/** Runs the script over fields in calls of FIELDS_PER_CALL; the checks' answers joined. */
async function run(
  redis: RedisClient,
  keys: PartitionKeys,
  mode: 'add' | 'check',
  budgetBits: number,
  fields: readonly string[],
): Promise<string> {
  let answer = '';
  for (let i = 0; i < fields.length; i += FIELDS_PER_CALL) {
    const lines = fields
      .slice(i, i + FIELDS_PER_CALL)
      .map((f) => hashes(f).join(' '))
      .join('\n');
    answer +=
      (await runLua<string | null>(
        redis,
        FILTER,
        [keys.archiveFilter],
        [mode, PROBES, lines, Math.min(FIRST_FILTER_BITS, budgetBits), budgetBits],
      )) ?? '';
  }
  return answer;
}

/** Adds archived fields to the partition's filter (`bytes`: the most all its filters may take). */
export async function addArchived(
  redis: RedisClient,
  keys: PartitionKeys,
  bytes: number,
  fields: readonly string[],
): Promise<void> {
  if (fields.length === 0) return;
  if (await hasFilter(redis, keys, true)) await run(redis, keys, 'add', Math.max(8, Math.floor(bytes) * 8), fields);
}

/** The fields that may have been archived (all their bits set, or the partition has no filter); the others never were. */
export async function maybeArchived(
  redis: RedisClient,
  keys: PartitionKeys,
  fields: readonly string[],
): Promise<string[]> {
  if (fields.length === 0) return [];
  if (!(await hasFilter(redis, keys, false))) return [...fields];
  const answer = await run(redis, keys, 'check', 0, fields);
  return fields.filter((_, i) => answer[i] === '1');
}
