// Group commit: calls made within one turn of the event loop share one Redis round trip.
import type { RedisClient } from './client.ts';

interface Waiting<I, R> {
  item: I;
  resolve(result: R): void;
  reject(err: unknown): void;
}

/**
 * Wraps `send` (one round trip for many items, one reply per item in order) so that the
 * items passed within one event-loop turn, per connection and `group`, go in one call: at
 * most `max` items per call; a full call goes at once and later items start the next one.
 * On a cluster a group must name one hash slot (a script's keys share a slot). A call that
 * fails, or answers a different number of replies, fails every item of it.
 */
export function perTurn<I, R>(
  max: number,
  send: (redis: RedisClient, items: I[]) => Promise<R[]>,
): (redis: RedisClient, group: string, item: I) => Promise<R> {
  const open = new WeakMap<RedisClient, Map<string, Waiting<I, R>[]>>();

  async function flush(redis: RedisClient, waiting: Waiting<I, R>[]): Promise<void> {
    try {
      const replies = await send(
        redis,
        waiting.map((w) => w.item),
      );
      if (replies.length !== waiting.length) {
        throw new Error(`${waiting.length} items sent, ${replies.length} replies received`);
      }
      waiting.forEach((w, i) => w.resolve(replies[i] as R));
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }

  return (redis, group, item) =>
    new Promise<R>((resolve, reject) => {
      let groups = open.get(redis);
      if (!groups) open.set(redis, (groups = new Map()));
      let waiting = groups.get(group);
      if (!waiting) {
        const started: Waiting<I, R>[] = [];
        groups.set(group, (waiting = started));
        const byGroup = groups;
        setImmediate(() => {
          if (byGroup.get(group) === started) byGroup.delete(group);
          void flush(redis, started);
        });
      }
      waiting.push({ item, resolve, reject });
      if (waiting.length >= max) groups.delete(group);
    });
}
