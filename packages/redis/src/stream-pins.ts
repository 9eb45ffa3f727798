// Batches name their stream entries instead of carrying them (docs/durability.md, "One copy
// through Redis"): a job holds entry ids, and the entries stay in their partition streams
// until the job is done. Each job pins, in every partition it reads, the oldest entry it
// names (a sorted set per partition scored by entry time); trimming never goes below the
// oldest pin. A job that succeeds unpins; a dead letter copies its entries into itself
// first, so it never holds the stream.
import type { RedisClient } from './client.ts';
import type { Keys, PartitionKeys } from './keys.ts';
import { compareIds, toStreamEntry, type StreamEntry } from './event-stream.ts';

/** The entries a job names in one partition stream, in stream order. */
export interface EntryRefs {
  partition: number;
  ids: string[];
}

const msOf = (id: string) => Number(id.slice(0, id.indexOf('-')));

/** Entries as references, per partition, in stream order. */
export function refsOf(entries: readonly StreamEntry[]): EntryRefs[] {
  const byPartition = new Map<number, string[]>();
  for (const e of entries) {
    const ids = byPartition.get(e.partition);
    if (ids) ids.push(e.id);
    else byPartition.set(e.partition, [e.id]);
  }
  return [...byPartition].map(([partition, ids]) => ({ partition, ids: ids.sort(compareIds) }));
}

/** Pins the entries a job names (before the job exists: a job is never unpinned before it is pinned). */
export async function pinEntries(redis: RedisClient, keys: Keys, jobId: string, refs: readonly EntryRefs[]) {
  await Promise.all(refs.map((r) => redis.zadd(keys.partition(r.partition).pins, msOf(r.ids[0] as string), jobId)));
}

/** Releases a job's pins: its entries may be trimmed once nothing older is pending. */
export async function unpinEntries(redis: RedisClient, keys: Keys, jobId: string, partitions: Iterable<number>) {
  await Promise.all([...partitions].map((p) => redis.zrem(keys.partition(p).pins, jobId)));
}

/** The oldest id trimming must keep for the pins of a partition (`ms-0` of its oldest pin), or null. */
export async function pinFloor(redis: RedisClient, partition: PartitionKeys): Promise<string | null> {
  const [, score] = await redis.zrange(partition.pins, '0', '0', 'WITHSCORES');
  return score === undefined ? null : `${score}-0`;
}

/** Jobs pinning entries older than `beforeMs` (epoch ms) in a partition: candidates for a check. */
export async function pinnedBefore(redis: RedisClient, partition: PartitionKeys, beforeMs: number): Promise<string[]> {
  return redis.zrangebyscore(partition.pins, '-inf', `(${beforeMs}`, 'LIMIT', 0, 100);
}

/** The entries a job names were trimmed: its events cannot be read (a broken pin, never expected). */
export class EntriesGoneError extends Error {
  constructor(readonly missing: number) {
    super(`${missing} stream entries of this batch are gone from their streams`);
    this.name = 'EntriesGoneError';
  }
}

/**
 * Reads the entries a job names, in the order of `refs` (one XRANGE per partition, from
 * its first to its last id; entries of other jobs in between are skipped).
 * @throws EntriesGoneError when any is missing.
 */
export async function loadEntries(redis: RedisClient, keys: Keys, refs: readonly EntryRefs[]): Promise<StreamEntry[]> {
  const parts = await Promise.all(
    refs.map(async (r) => {
      const wanted = new Set(r.ids);
      const raw = (await redis.xrange(
        keys.partition(r.partition).stream,
        r.ids[0] as string,
        r.ids[r.ids.length - 1] as string,
      )) as [string, string[]][];
      const found = new Map<string, StreamEntry>();
      for (const entry of raw) {
        if (!wanted.has(entry[0])) continue;
        const e = toStreamEntry(r.partition, entry);
        if (e) found.set(e.id, e);
      }
      if (found.size !== wanted.size) throw new EntriesGoneError(wanted.size - found.size);
      return r.ids.map((id) => found.get(id) as StreamEntry);
    }),
  );
  return parts.flat();
}

/**
 * Trims a partition's entries every group has acknowledged and no job still names: below
 * the oldest pending entry and the oldest pin (stream-pins.ts), or up to the last
 * delivered one when nothing is pending or pinned. Never drops an entry a job may read.
 */
export async function trimDone(redis: RedisClient, partition: PartitionKeys): Promise<void> {
  const groupsInfo = (await redis.xinfo('GROUPS', partition.stream)) as unknown[][];
  let minId: string | null = await pinFloor(redis, partition);
  for (const g of groupsInfo) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
    const name = String(info.get('name'));
    const summary = (await redis.xpending(partition.stream, name)) as [number, string | null, string | null, unknown];
    const floor = summary[0] > 0 && summary[1] ? summary[1] : String(info.get('last-delivered-id'));
    if (minId === null || compareIds(floor, minId) < 0) minId = floor;
  }
  if (minId && minId !== '0-0') await redis.xtrim(partition.stream, 'MINID', minId);
}

/**
 * True when every entry of the partition appended at or before `atMs` has been processed:
 * delivered to every group, none of them pending, none named by an unfinished job (pin).
 * Erasure waits for this before it erases, so nothing accepted before it is still on its way.
 */
export async function processedUpTo(redis: RedisClient, partition: PartitionKeys, atMs: number): Promise<boolean> {
  const upTo = `${atMs}-18446744073709551615`;
  const last = (await redis.xrevrange(partition.stream, upTo, '-', 'COUNT', 1)) as [string, string[]][];
  const lastId = last[0]?.[0];
  if (!lastId) return true;
  const pinned = await pinFloor(redis, partition);
  if (pinned !== null && compareIds(pinned, lastId) <= 0) return false;
  const groupsInfo = (await redis.xinfo('GROUPS', partition.stream)) as unknown[][];
  if (groupsInfo.length === 0) return false;
  for (const g of groupsInfo) {
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
    if (compareIds(String(info.get('last-delivered-id')), lastId) < 0) return false;
    const summary = (await redis.xpending(partition.stream, String(info.get('name')))) as [number, string | null];
    if (summary[0] > 0 && summary[1] && compareIds(summary[1], lastId) <= 0) return false;
  }
  return true;
}
