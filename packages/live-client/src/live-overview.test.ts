import { describe, expect, it } from 'vitest';
import { summarizeOverview } from '@thumbline/events/overview';
import type { LiveDelta } from '@thumbline/events';
import { LiveOverview } from './live-overview.ts';

const q = { from: '2026-11-24', to: '2026-11-24', tz: 'UTC' };
const empty = summarizeOverview(q, [], { up: 0, down: 0 }, 0);
const zero = { thumbs_up: 0, thumbs_down: 0, csat_sum: 0, csat_count: 0, prompted: 0, responded: 0 };

/** One bucket: a thumb down flipped to up across segments, a rating and its prompt in de-DE. */
const delta: LiveDelta = {
  seq: 1,
  buckets: [
    {
      start: '2026-11-24T10:00:00.000Z',
      thumbs_up: 1,
      thumbs_down: -1,
      csat_sum: 2,
      csat_count: 1,
      prompted: 1,
      responded: 1,
      segments: [
        {
          widget_id: 'a',
          locale: 'de-de',
          ...zero,
          thumbs_down: -1,
          csat_sum: 2,
          csat_count: 1,
          prompted: 1,
          responded: 1,
        },
        { widget_id: 'b', locale: 'en', ...zero, thumbs_up: 1 },
      ],
    },
  ],
  conversations: [],
};

describe('LiveOverview', () => {
  it('applies the whole bucket without a segment, prompts and responses included', () => {
    const live = new LiveOverview(empty);
    live.apply(delta);
    expect(live.overview.csat).toMatchObject({ rated: 1, average: 2, prompted: 1, response_rate: 1 });
    expect(live.overview.thumbs).toMatchObject({ up: 1, down: -1 });
  });

  it('applies only the segments its snapshot was filtered to', () => {
    const de = new LiveOverview(empty, { locale: 'de' });
    de.apply(delta);
    expect(de.overview.csat).toMatchObject({ rated: 1, prompted: 1, response_rate: 1 });
    expect(de.overview.thumbs).toMatchObject({ up: 0, down: -1 });
    const b = new LiveOverview(empty, { widget_id: 'b', locale: 'EN' });
    b.apply(delta);
    expect(b.overview.csat).toMatchObject({ rated: 0, prompted: 0, response_rate: null });
    expect(b.overview.thumbs).toMatchObject({ up: 1, down: 0 });
  });
});
