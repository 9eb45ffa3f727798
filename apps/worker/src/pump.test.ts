// How the pump cuts what it read into jobs (pump.ts `slices`), checked on random reads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamEntry } from '@thumbline/redis';
import { slices } from './pump.ts';

const entry = (partition: number, i: number, count: number): StreamEntry => ({
  partition,
  id: `${i}-0`,
  workspaceId: 'w',
  count,
  events: '[]',
});

describe('slices', () => {
  it('keeps every entry once, in order, each slice within maxEvents (or one entry) and of one group (small reads: one job)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 500 })), { maxLength: 200 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 40_000 }),
        (read, maxEvents, groups, splitFrom) => {
          const entries = read.map(([p, count], i) => entry(p, i, count));
          const out = slices(entries, maxEvents, groups, splitFrom);
          const total = entries.reduce((n, e) => n + e.count, 0);
          // A read smaller than splitFrom is cut by maxEvents only.
          const cutBy = total < splitFrom ? 1 : groups;
          // Every entry exactly once; within a partition, in the order read.
          expect(
            out
              .flat()
              .map((e) => e.id)
              .sort(),
          ).toEqual(entries.map((e) => e.id).sort());
          for (let p = 0; p < 16; p++) {
            const order = out.flat().filter((e) => e.partition === p);
            expect(order).toEqual(entries.filter((e) => e.partition === p));
          }
          for (const slice of out) {
            expect(slice.length).toBeGreaterThan(0);
            const events = slice.reduce((n, e) => n + e.count, 0);
            if (slice.length > 1) expect(events).toBeLessThanOrEqual(maxEvents);
            // Slices of different groups share no partition.
            expect(new Set(slice.map((e) => e.partition % cutBy)).size).toBe(1);
          }
          // A small read that fits one job is one job; a large one has a job per group it touches.
          if (total < splitFrom && total <= maxEvents && entries.length > 0) expect(out).toHaveLength(1);
          if (total >= splitFrom && groups > 1) {
            expect(out.length).toBeGreaterThanOrEqual(new Set(entries.map((e) => e.partition % groups)).size);
          }
        },
      ),
    );
  });
});
