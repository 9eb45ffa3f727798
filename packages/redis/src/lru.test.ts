import { describe, expect, it } from 'vitest';
import { Lru } from './lru.ts';

describe('Lru', () => {
  it('never holds more than max entries, dropping the least recently used', () => {
    const lru = new Lru<string, number>(3, 1000);
    for (const [i, k] of ['a', 'b', 'c'].entries()) lru.set(k, i, 0);
    expect(lru.get('a', 1)).toBe(0); // a is now the most recent
    lru.set('d', 3, 2);
    expect(lru.size).toBe(3);
    expect(lru.get('b', 3)).toBeUndefined();
    expect([lru.get('a', 3), lru.get('c', 3), lru.get('d', 3)]).toEqual([0, 2, 3]);
    for (let i = 0; i < 10_000; i++) lru.set(`k${i}`, i, 4);
    expect(lru.size).toBe(3);
  });

  it('forgets an entry once its time is up, and a later set starts it again', () => {
    const lru = new Lru<string, string>(10, 100);
    lru.set('a', 'x', 0);
    expect(lru.get('a', 99)).toBe('x');
    expect(lru.get('a', 100)).toBeUndefined();
    expect(lru.size).toBe(0);
    lru.set('a', 'y', 200);
    expect(lru.get('a', 250)).toBe('y');
    lru.delete('a');
    expect(lru.get('a', 250)).toBeUndefined();
  });
});
