// Erasure of conversations from the batch state's hot tier (CONTRACT §14, docs/operations.md):
// the one place that knows where a conversation's state lives in Redis. The archive's rows are
// erased in ClickHouse (packages/clickhouse erasure.repo.ts), with the fields named here.
//
// Per partition and generation: the conversation's own field in its bucket of the conversation
// states (it holds its counted events' ids), and the message states that name it (their value
// ends with its field), found in every bucket of the message states. Deleting the fields and
// bumping the partition's version is one script (lua/erase-state.lua), so a batch resolved
// before cannot write them back. Cached resolutions live only while their batch is not done; a
// dead letter that loses the conversations' events (apps/worker erasure job) has its cached
// resolutions rewritten without them (eraseFromCachedResolutions), so its replay still writes
// what its other events' first attempt resolved. The archive filter (archive-filter.ts) keeps
// its bits: they hold no id, only hashes' positions.
import type { BatchItem, BatchResolution } from '@thumbline/events';
import {
  luaScripts,
  runLua,
  script,
  type Keys,
  type PartitionKeys,
  type RedisClient,
  type StreamEntry,
} from '@thumbline/redis';
import { decodeResolution, encodeResolution } from '../batch-record.ts';
import { stateItem } from '../rows.ts';
import { batchEvents } from '../stages/load.ts';
import { partsOf } from '../stages/resolve.ts';
import { bucketOf, conversationOfMessage, stateField } from './encoding.ts';
import { bucketKey, bucketKeys } from './hot.ts';

const ERASE = script(luaScripts(new URL('./lua/', import.meta.url)), 'erase-state');
/** Buckets read (pipelined) at a time while looking for a conversation's messages. */
const BUCKETS_PER_READ = 128;

/** How the state names a conversation (for the archive's erasure in ClickHouse). */
export { stateField as conversationStateField };

/** The generations of a partition with state in Redis, the current one included. */
async function generationsOf(redis: RedisClient, keys: PartitionKeys): Promise<number[]> {
  const listed = (await redis.zrangebyscore(keys.generations, '-inf', '+inf')).map(Number);
  const current = Number((await redis.hget(keys.generation, 'n')) ?? 0);
  return [...new Set([...listed, current, current - 1].filter((g) => g >= 0))];
}

/** Per bucket key of `prefix`, the message fields whose state names one of `conversations`. */
async function messagesOf(
  redis: RedisClient,
  prefix: string,
  buckets: number,
  conversations: ReadonlySet<string>,
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  const keys = bucketKeys(prefix, buckets);
  for (let i = 0; i < keys.length; i += BUCKETS_PER_READ) {
    const slice = keys.slice(i, i + BUCKETS_PER_READ);
    const read = await Promise.all(slice.map((key) => redis.hgetall(key)));
    read.forEach((bucket, j) => {
      const fields = Object.keys(bucket).filter((f) => conversations.has(conversationOfMessage(bucket[f] as string)));
      if (fields.length > 0) found.set(slice[j] as string, fields);
    });
  }
  return found;
}

/**
 * Removes `conversationIds` (of workspace `ws`) from the hot state: their conversation states
 * (with their counted events' ids) and their messages' states. Safe to repeat.
 */
export async function eraseConversationState(
  redis: RedisClient,
  keys: Keys,
  ws: string,
  conversationIds: readonly string[],
): Promise<void> {
  const byPartition = new Map<number, string[]>();
  for (const id of conversationIds) {
    const p = keys.partitionOf(id);
    byPartition.set(p, [...(byPartition.get(p) ?? []), id]);
  }
  for (const [p, ids] of byPartition) {
    const partition = keys.partition(p);
    const stored = await redis.get(partition.buckets);
    if (stored === null) continue; // the partition never stored state
    const buckets = Number(stored);
    const fields = ids.map((id) => stateField(ws, id));
    const wanted = new Set(fields);
    const deletions = new Map<string, string[]>();
    const add = (key: string, f: string) => deletions.set(key, [...(deletions.get(key) ?? []), f]);
    for (const g of await generationsOf(redis, partition)) {
      for (const f of fields) add(bucketKey(partition.state('convs', g), bucketOf(f, buckets)), f);
      for (const [key, found] of await messagesOf(redis, partition.state('msgs', g), buckets, wanted)) {
        for (const f of found) add(key, f);
      }
    }
    const hashes = [...deletions.keys()];
    await runLua<number>(
      redis,
      ERASE,
      [partition.version, ...hashes],
      hashes.map((key) => (deletions.get(key) as string[]).join('\n')),
    );
  }
}

/**
 * A part's cached resolution without the items of `erased` conversations (of workspace `ws`):
 * the rest re-indexed to the part's items once those are gone. A kept change that retracts in an
 * erased conversation (a thumb moved out of it) keeps its values without that conversation's id,
 * as erasure anonymises the signed changes in ClickHouse.
 */
export function withoutConversations(
  res: BatchResolution,
  items: readonly BatchItem[],
  gone: (item: BatchItem) => boolean,
  isErased: (ws: string, conversationId: string) => boolean,
): { resolution: BatchResolution; items: BatchItem[] } {
  const kept: BatchItem[] = [];
  const moved = new Map<number, number>();
  items.forEach((item, i) => {
    if (gone(item)) return;
    moved.set(i, kept.length);
    kept.push(item);
  });
  const fresh = res.fresh.filter((i) => moved.has(i)).map((i) => moved.get(i) as number);
  const keptEvents = new Set(fresh.map((i) => `${(kept[i] as BatchItem).w}\u0000${(kept[i] as BatchItem).e.event_id}`));
  return {
    items: kept,
    resolution: {
      fresh,
      changes: res.changes
        .filter((c) => keptEvents.has(`${c.workspace_id}\u0000${c.event_id}`))
        .map((c) => (isErased(c.workspace_id, c.conversation_id) ? { ...c, conversation_id: '' } : c)),
      conversations: res.conversations.filter((c) => !isErased(c.workspace_id, c.conversation_id)),
    },
  };
}

/**
 * Rewrites the cached resolutions of batch `batchId` (a dead letter that committed some
 * partitions before it failed) once the events of `conversationIds` (workspace `ws`) are taken
 * out of its entries (`before`: its entries as they were). Each partition's cache keeps what its
 * other items resolved to, in their new indexes, and its time to live; a partition left with no
 * item loses its cache. Without this, a replay would resolve those items again, find them counted
 * in the state already, and never write their signed changes. Safe to repeat.
 */
export async function eraseFromCachedResolutions(
  redis: RedisClient,
  keys: Keys,
  batchId: string,
  before: readonly StreamEntry[],
  ws: string,
  conversationIds: ReadonlySet<string>,
): Promise<void> {
  const isErased = (w: string, c: string) => w === ws && conversationIds.has(c);
  const gone = (item: BatchItem) => isErased(item.w, item.e.conversation_id);
  for (const part of partsOf(keys, batchEvents(before).map(stateItem))) {
    if (!part.items.some(gone)) continue; // its indexes do not move
    const key = part.keys.batch(batchId);
    const cached = await redis.get(key);
    if (cached === null) continue; // never committed: a replay resolves it afresh
    const { resolution, items } = withoutConversations(
      decodeResolution(cached, part.items),
      part.items,
      gone,
      isErased,
    );
    if (items.length === 0) await redis.del(key);
    else await redis.set(key, encodeResolution(resolution, items), 'KEEPTTL');
  }
}
