// The worker's cold tier (ADR 0010): what left Redis's hot window is found in ClickHouse.
// A batch reads its partitions together, so their lookups arrive together: those made in one
// turn of the event loop share one query per kind.
import {
  archivedStates,
  archiveStates,
  storedElsewhere,
  type ClickHouse,
  type StoredEventQuery,
} from '@thumbline/clickhouse';
import {
  archiveClosed,
  startTiers,
  type ApplyBatchOptions,
  type ColdTier,
  type Keys,
  type PartitionKeys,
  type RedisClient,
} from '@thumbline/redis';

/** Calls of one turn gathered into one: `run` gets every caller's input, each caller the shared answer. */
function coalesced<In, Out>(run: (all: In[]) => Promise<Out>): (input: In[]) => Promise<Out> {
  let pending: { input: In[]; answer: Promise<Out> } | null = null;
  return (input) => {
    if (input.length === 0) return run([]);
    if (!pending) {
      const gathered: In[] = [];
      const answer = new Promise<void>((r) => setImmediate(r)).then(() => {
        pending = null; // later calls start the next query
        return run(gathered);
      });
      pending = { input: gathered, answer };
    }
    pending.input.push(...input);
    return pending.answer;
  };
}

export function clickHouseColdTier(redis: RedisClient, keys: Keys, ch: ClickHouse, state: ApplyBatchOptions): ColdTier {
  const store = (generation: number, states: Parameters<typeof archiveStates>[2]) =>
    archiveStates(ch, generation, states);
  // Started once per process, before anything is read or archived; a failure is tried again.
  let started: Promise<number> | null = null;
  const since = () => {
    started ??= startTiers(redis, keys, state.legacyStateTtlSeconds).catch((err: unknown) => {
      started = null;
      throw err;
    });
    return started;
  };
  // Answers hold every caller's keys; each caller reads only its own.
  const seen = coalesced((events: StoredEventQuery[]) => storedElsewhere(ch, events));
  const messages = coalesced((fields: string[]) => archivedStates(ch, 'message', fields));
  const conversations = coalesced((fields: string[]) => archivedStates(ch, 'conversation', fields));
  return {
    since,
    seenElsewhere: (events) => seen(events),
    states: (kind, fields) => (kind === 'message' ? messages(fields) : conversations(fields)),
    archive: async (partition: PartitionKeys) => {
      await since();
      await archiveClosed(redis, partition, state.stateTtlSeconds, store);
    },
  };
}
