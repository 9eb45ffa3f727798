// Erasure of conversations from the batch state's hot tier (CONTRACT §14, docs/operations.md):
// the one place that knows where a conversation's state lives in Redis. The archive's rows are
// erased in ClickHouse (packages/clickhouse erasure.repo.ts), with the fields named here.
//
// Per partition: the conversation's own field in every generation's conversation hash (it holds
// its counted events' ids) and the message states that name it (their value ends with its
// field). Deleting the fields and bumping the partition's version is one script
// (lua/erase-state.lua), so a batch resolved before cannot write them back. Cached resolutions
// live only while their batch is not done; a dead letter's is forgotten with its events
// (apps/worker erasure job).
import { luaScripts, runLua, script, type Keys, type PartitionKeys, type RedisClient } from '@thumbline/redis';
import { conversationOfMessage, stateField } from './encoding.ts';

const ERASE = script(luaScripts(new URL('./lua/', import.meta.url)), 'erase-state');
const SCAN = 2000;

/** How the state names a conversation (for the archive's erasure in ClickHouse). */
export { stateField as conversationStateField };

/** The generations of a partition with state in Redis, the current one included. */
async function generationsOf(redis: RedisClient, keys: PartitionKeys): Promise<number[]> {
  const listed = (await redis.zrangebyscore(keys.generations, '-inf', '+inf')).map(Number);
  const current = Number((await redis.hget(keys.generation, 'n')) ?? 0);
  return [...new Set([...listed, current, current - 1].filter((g) => g >= 0))];
}

/** Message fields of `hash` whose state names one of `conversations`. */
async function messagesOf(redis: RedisClient, hash: string, conversations: ReadonlySet<string>): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(hash, cursor, 'COUNT', SCAN);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      if (conversations.has(conversationOfMessage(flat[i + 1] as string))) found.push(flat[i] as string);
    }
  } while (cursor !== '0');
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
    const fields = ids.map((id) => stateField(ws, id));
    const wanted = new Set(fields);
    const hashes: string[] = [];
    const lines: string[] = [];
    for (const g of await generationsOf(redis, partition)) {
      hashes.push(partition.state('convs', g));
      lines.push(fields.join('\n'));
      hashes.push(partition.state('msgs', g));
      lines.push((await messagesOf(redis, partition.state('msgs', g), wanted)).join('\n'));
    }
    await runLua<number>(redis, ERASE, [partition.version, ...hashes], lines);
  }
}
