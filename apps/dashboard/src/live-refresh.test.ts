import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationChange, LiveDelta } from '@thumbline/events';
import { Pacer, touchesBreakdown, touchesKnowledgeGaps, touchesTriage } from './live-refresh.ts';

const change = (satisfaction: ConversationChange['satisfaction']) =>
  ({ conversation_id: 'c', satisfaction }) as ConversationChange;
const delta = (...conversations: ConversationChange[]): LiveDelta => ({ seq: 1, buckets: [], conversations });
const bucket = (thumbs_up: number, thumbs_down: number) =>
  ({
    start: '2026-12-07T10:00:00Z',
    thumbs_up,
    thumbs_down,
    csat_sum: 0,
    csat_count: 0,
  }) as LiveDelta['buckets'][number];

describe('touchesTriage', () => {
  it('is true for a delta carrying a rated conversation, whatever its rating', () => {
    expect(touchesTriage(delta(change('unknown'), change('negative')))).toBe(true);
    // A conversation rated again out of negative lowers the count.
    expect(touchesTriage(delta(change('positive')))).toBe(true);
    expect(touchesTriage(delta(change('unknown')))).toBe(false);
    expect(touchesTriage(delta())).toBe(false);
  });
});

describe('touchesBreakdown and touchesKnowledgeGaps', () => {
  it('reload the breakdown on any counted change, the gaps only when thumbs-down moved', () => {
    const up: LiveDelta = { seq: 1, buckets: [bucket(1, 0)], conversations: [] };
    const flip: LiveDelta = { seq: 2, buckets: [bucket(1, -1)], conversations: [] };
    expect([touchesBreakdown(up), touchesKnowledgeGaps(up)]).toEqual([true, false]);
    expect([touchesBreakdown(flip), touchesKnowledgeGaps(flip)]).toEqual([true, true]);
    expect([touchesBreakdown(delta()), touchesKnowledgeGaps(delta())]).toEqual([false, false]);
  });
});

describe('Pacer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A pacer gathering 300 ms, at most one run per 5 s, and the work it counts. */
  const paced = () => {
    const work = vi.fn();
    return { work, pacer: new Pacer(work, 300, 5000) };
  };

  it('runs once, gatherMs after the first of a burst of requests', () => {
    const { work, pacer } = paced();
    pacer.request();
    vi.advanceTimersByTime(200);
    pacer.request();
    vi.advanceTimersByTime(99);
    expect(work).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('never runs twice within intervalMs under steady requests', () => {
    const { work, pacer } = paced();
    const runs: number[] = [];
    work.mockImplementation(() => runs.push(Date.now()));
    const start = Date.now();
    for (let t = 0; t < 20_000; t += 100) {
      pacer.request();
      vi.advanceTimersByTime(100);
    }
    expect(runs.map((r) => r - start)).toEqual([300, 5300, 10300, 15300]);
  });

  it('after a quiet interval, answers the next request after gatherMs again', () => {
    const { work, pacer } = paced();
    pacer.request();
    vi.advanceTimersByTime(10_000);
    pacer.request();
    vi.advanceTimersByTime(300);
    expect(work).toHaveBeenCalledTimes(2);
  });

  it('stop cancels a pending run', () => {
    const { work, pacer } = paced();
    pacer.request();
    pacer.stop();
    vi.advanceTimersByTime(10_000);
    expect(work).not.toHaveBeenCalled();
  });
});
