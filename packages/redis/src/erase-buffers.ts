// Erasure from Redis's buffers (CONTRACT §14, docs/operations.md): the streams that hold copies
// of events or of conversation summaries for a while — dead events (kept for operators), the live
// stream, a workspace's catch-up history and the Socket.IO adapter's stream — lose every entry
// that names an erased conversation. The live buffers are catch-up aids: a dashboard whose history
// has a gap reloads, so removing an entry there costs a reload at most.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

const PAGE = 1000;

/**
 * What an entry naming the conversation holds: its id as a JSON field of an event or a delta,
 * as is and as it reads inside a JSON string (a delta body carried as a string).
 */
export function conversationNeedles(conversationIds: readonly string[]): string[] {
  return conversationIds.flatMap((id) => {
    const plain = `"conversation_id":${JSON.stringify(id)}`;
    return [plain, JSON.stringify(plain).slice(1, -1)];
  });
}

/** Deletes the entries of stream `key` with a field value holding one of `needles`; answers how many. */
async function scrubStream(redis: RedisClient, key: string, needles: readonly string[], end = '+'): Promise<number> {
  let deleted = 0;
  let start = '-';
  for (;;) {
    const page = (await redis.xrange(key, start, end, 'COUNT', PAGE)) as [string, string[]][];
    const hits = page.filter(([, fields]) => fields.some((f) => needles.some((n) => f.includes(n)))).map(([id]) => id);
    if (hits.length > 0) deleted += await redis.xdel(key, ...hits);
    if (page.length < PAGE) return deleted;
    start = `(${page[page.length - 1]?.[0]}`;
  }
}

/**
 * Removes entries naming `conversationIds` (of workspace `ws`) from Redis's buffers, and from
 * their partitions' ingest streams up to `processedAtMs` (entries processed already, which
 * trimming keeps until a later one is delivered: see processedUpTo); answers how many.
 */
export async function eraseFromBuffers(
  redis: RedisClient,
  keys: Keys,
  ws: string,
  conversationIds: readonly string[],
  processedAtMs: number,
): Promise<number> {
  if (conversationIds.length === 0) return 0;
  const needles = conversationNeedles(conversationIds);
  let deleted = 0;
  const partitions = new Set(conversationIds.map((id) => keys.partitionOf(id)));
  for (const p of partitions) {
    deleted += await scrubStream(redis, keys.partition(p).stream, needles, `${processedAtMs}-18446744073709551615`);
  }
  for (const key of [keys.deadEvents, keys.liveStream, keys.liveHistory(ws), keys.socketIo.stream]) {
    deleted += await scrubStream(redis, key, needles);
  }
  return deleted;
}
