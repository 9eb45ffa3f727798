// Group commit (turn-batch.ts): the calls of one event-loop turn share one send per connection
// and group, in order; a full call goes at once; a failed or short answer fails each item.
import { describe, expect, it } from 'vitest';
import type { RedisClient } from './client.ts';
import { perTurn } from './turn-batch.ts';

// A connection only names the batches here (a WeakMap key): no command is sent.
const connection = () => ({}) as RedisClient;

describe('perTurn', () => {
  it('sends the items of one turn together, per connection and group, each answered with its own reply', async () => {
    const sent: string[][] = [];
    const call = perTurn<string, string>(10, async (_redis, items) => {
      sent.push(items);
      return items.map((i) => i.toUpperCase());
    });
    const [a, b] = [connection(), connection()];
    const replies = await Promise.all([call(a, 'g', 'x'), call(a, 'g', 'y'), call(a, 'h', 'z'), call(b, 'g', 'w')]);
    expect(replies).toEqual(['X', 'Y', 'Z', 'W']);
    expect(sent).toEqual([['x', 'y'], ['z'], ['w']]);
    // The next turn starts a new call.
    expect(await call(a, 'g', 'v')).toBe('V');
    expect(sent).toHaveLength(4);
  });

  it('starts a new call once one holds `max` items', async () => {
    const sizes: number[] = [];
    const call = perTurn<number, number>(3, async (_redis, items) => {
      sizes.push(items.length);
      return items;
    });
    const redis = connection();
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => call(redis, '', i)))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sizes).toEqual([3, 3, 1]);
  });

  it('fails every item of a call that fails or answers too few replies, and only those', async () => {
    const failing = perTurn<number, number>(10, async () => {
      throw new Error('down');
    });
    const short = perTurn<number, number>(10, async (_redis, items) => items.slice(1));
    const redis = connection();
    const results = await Promise.allSettled([
      failing(redis, '', 1),
      failing(redis, '', 2),
      short(redis, '', 3),
      short(redis, '', 4),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((results[2] as PromiseRejectedResult).reason)).toMatch(/2 items sent, 1 replies received/);
  });
});
