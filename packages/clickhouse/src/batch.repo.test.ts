import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDateTime64 } from './batch.repo.ts';

describe('toDateTime64', () => {
  it('formats any epoch ms exactly like Date#toISOString, in ClickHouse’s layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), (ms) => {
        expect(toDateTime64(ms)).toBe(new Date(ms).toISOString().replace('T', ' ').replace('Z', ''));
      }),
      { numRuns: 5000 },
    );
  });
});
