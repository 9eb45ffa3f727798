import { describe, expect, it } from 'vitest';
import { jsonDepth } from './body-limit.ts';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['[[],[[]]]', 3],
    ['{"a":{"b":[1,{"c":2}]}}', 4],
    ['{"a":"[[[{{{"}', 1],
    ['{"a":"\\"[[["}', 1],
    ['{"a":"\\\\","b":[[]]}', 3],
  ])('%s nests %i deep', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });

  it('stops counting past the limit', () => {
    expect(jsonDepth('['.repeat(100_000), 32)).toBe(33);
  });
});
