// A filter per partition, in Redis, of every state field ever archived (state/archive.ts):
// "not in the filter" means "never archived", so a batch's brand-new conversations and messages
// are not looked up in ClickHouse (a lookup of a few hundred absent fields in a large archive
// reads about half its granules: ADR 0012). Bloom filters have no false negatives: a field is
// added before the archive's watermark moves past its generation, and before its generation
// leaves Redis, so a state Redis no longer holds is always "maybe archived". False positives
// only cost a lookup that finds nothing.
//
// A chain of Bloom filters, each twice the one before, so Redis holds about 10 bits per archived
// field (a small filter first, whatever the budget) up to the partition's share of the budget;
// past that the newest fills on and false positives rise (exact, slower). A bit's place never
// moves: filters are only ever added. The chain's record (hash: n filters, size_<i> bits,
// held_<i> fields) names its bitmaps "<record>:<i>" (same slot). Fields go into the newest
// filter, which once it holds its capacity (a tenth of its bits) is followed by the next one,
// until the chain reaches its budget. Probes are bits (h1 + i·h2) mod size, i = 0 … k − 1,
// computed here and read or set with BITFIELD, many per call: the same work as a Lua script
// was ~5 µs per field of interpreted parsing and arithmetic in Redis (measured 2026-12-07).
//
// Adding is not atomic: Redis's record is read, the bits set, then the record written. Only
// the holder of a partition's lease archives it; should two add at once, bits are only ever
// set (no field is lost) and at worst a count is low, so a filter fills a little past its
// capacity (a few more false positives).
import type { PartitionKeys, RedisClient } from '@thumbline/redis';

/** Bits per field probed (k): 1.2 % false positives at 10 bits per field (the optimum, 7, gives 0.8 % for 75 % more work). */
const PROBES = 4;
/** Fields per BITFIELD call (a call blocks Redis while it runs; ~0.1 µs per probe). */
const FIELDS_PER_CALL = 1000;

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

/** The bits a field sets in a filter of `bits` bits (all must be set for it to be "maybe archived"). */
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

/** The chain's filters, oldest first: their bitmap's key, size in bits and fields held. */
async function chain(redis: RedisClient, keys: PartitionKeys) {
  const record = await redis.hgetall(keys.archiveFilter);
  return Array.from({ length: Number(record.n ?? 0) }, (_, i) => ({
    key: `${keys.archiveFilter}:${i + 1}`,
    size: Number(record[`size_${i + 1}`]),
    held: Number(record[`held_${i + 1}`] ?? 0),
  }));
}

/** BITFIELD `op` (GET or SET to 1) of one bit at each offset, in calls of FIELDS_PER_CALL fields' probes. */
async function bits(redis: RedisClient, key: string, op: 'GET' | 'SET', offsets: readonly number[]): Promise<number[]> {
  const calls: Promise<number[]>[] = [];
  const per = FIELDS_PER_CALL * PROBES;
  for (let c = 0; c < offsets.length; c += per) {
    const args: (string | number)[] = [];
    for (let i = c; i < Math.min(c + per, offsets.length); i++) {
      if (op === 'GET') args.push('GET', 'u1', offsets[i] as number);
      else args.push('SET', 'u1', offsets[i] as number, 1);
    }
    calls.push(redis.call('BITFIELD', key, ...args) as Promise<number[]>);
  }
  return (await Promise.all(calls)).flat();
}

/** The probes of `hashed` fields in a filter of `size` bits, PROBES per field in order. */
function offsets(hashed: readonly [number, number][], size: number): number[] {
  const out = new Array<number>(hashed.length * PROBES);
  let n = 0;
  for (const [h1, h2] of hashed) for (let i = 0; i < PROBES; i++) out[n++] = (h1 + i * h2) % size;
  return out;
}

/** Adds archived fields to the partition's filter (`bytes`: the most all its filters may take). */
export async function addArchived(
  redis: RedisClient,
  keys: PartitionKeys,
  bytes: number,
  fields: readonly string[],
): Promise<void> {
  if (fields.length === 0 || !(await hasFilter(redis, keys, true))) return;
  const budget = Math.max(8, Math.floor(bytes) * 8);
  const filters = await chain(redis, keys);
  let total = filters.reduce((sum, f) => sum + f.size, 0);
  const opened = (size: number) => {
    filters.push({ key: `${keys.archiveFilter}:${filters.length + 1}`, size, held: 0 });
    total += size;
  };
  if (filters.length === 0) opened(Math.min(FIRST_FILTER_BITS, budget));
  const hashed = fields.map(hashes);
  const writes: Promise<unknown>[] = [];
  for (let j = 0; j < hashed.length;) {
    let newest = filters[filters.length - 1] as (typeof filters)[number];
    const mayGrow = total + 2 * newest.size <= budget;
    // Full (a tenth of its bits in fields: 1 % false positives): the next filter, if the budget allows.
    if (newest.held >= newest.size / 10 && mayGrow) {
      opened(2 * newest.size);
      newest = filters[filters.length - 1] as (typeof filters)[number];
    }
    // Up to its capacity when a next one may follow, else all the rest.
    const room = total + 2 * newest.size <= budget ? Math.max(1, Math.ceil(newest.size / 10 - newest.held)) : Infinity;
    const some = hashed.slice(j, j + room);
    writes.push(bits(redis, newest.key, 'SET', offsets(some, newest.size)));
    newest.held += some.length;
    j += some.length;
  }
  await Promise.all(writes);
  const record: Record<string, number> = { n: filters.length };
  filters.forEach((f, i) => {
    record[`size_${i + 1}`] = f.size;
    record[`held_${i + 1}`] = f.held;
  });
  await redis.hset(keys.archiveFilter, record);
}

/** The fields that may have been archived (all their bits set, or the partition has no filter); the others never were. */
export async function maybeArchived(
  redis: RedisClient,
  keys: PartitionKeys,
  fields: readonly string[],
): Promise<string[]> {
  if (fields.length === 0) return [];
  if (!(await hasFilter(redis, keys, false))) return [...fields];
  const hashed = fields.map(hashes);
  const hit = new Array<boolean>(fields.length).fill(false);
  // Newest filter first; a field found in one is not asked of the older ones.
  for (const filter of (await chain(redis, keys)).reverse()) {
    const open: number[] = [];
    for (let j = 0; j < fields.length; j++) if (!hit[j]) open.push(j);
    if (open.length === 0) break;
    const got = await bits(
      redis,
      filter.key,
      'GET',
      offsets(
        open.map((j) => hashed[j] as [number, number]),
        filter.size,
      ),
    );
    open.forEach((j, x) => {
      let all = true;
      for (let i = 0; i < PROBES; i++) if (got[x * PROBES + i] === 0) all = false;
      if (all) hit[j] = true;
    });
  }
  return fields.filter((_, j) => hit[j]);
}
