// Deep imports keep zod and the OpenAPI schemas out of browser bundles.
import { previousWindow, summarizeOverview, type DaySums } from '@thumbline/events/overview';
import { inSegment, type SegmentFilter } from '@thumbline/events/segment';
import type { BucketDelta, LiveDelta, OverviewFigures } from '@thumbline/events';

/** The local date of an instant in an IANA zone. */
export function localDay(iso: string, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(iso),
  );
}

export type ApplyResult = 'applied' | 'duplicate' | 'held';

const SUMS = ['thumbs_up', 'thumbs_down', 'csat_sum', 'csat_count', 'prompted', 'responded'] as const;
type Sums = Pick<BucketDelta, (typeof SUMS)[number]>;

/**
 * An overview kept current by live deltas. It starts from a snapshot (whose `live_seq`
 * says which deltas it already contains) and applies deltas strictly in seq order:
 * older or repeated ones are skipped, early ones are held until the gap fills. Buckets
 * map to local days in the snapshot's zone, so it rounds and rolls up exactly like the
 * API: applying every delta keeps it equal to a fresh query. A snapshot queried for a segment
 * (`widget_id`/`locale`) takes the same `segment`: it applies only the changes counted there.
 */
export class LiveOverview {
  private readonly days = new Map<string, DaySums>();
  private previous = { up: 0, down: 0 };
  private readonly held = new Map<number, LiveDelta>();
  private seq: number;
  private readonly prev: { from: string; to: string };

  constructor(
    private readonly snapshot: OverviewFigures,
    private readonly segment: SegmentFilter = {},
  ) {
    for (const d of snapshot.csat.daily) {
      this.days.set(d.day, {
        day: d.day,
        thumbs_up: d.thumbs_up,
        thumbs_down: d.thumbs_down,
        csat_sum: d.csat_sum,
        csat_count: d.rated,
        prompted: d.prompted,
        responded: d.responded,
      });
    }
    this.previous = { up: snapshot.thumbs.previous.up, down: snapshot.thumbs.previous.down };
    this.seq = snapshot.live_seq;
    this.prev = previousWindow(snapshot.from, snapshot.to);
  }

  /** The last delta applied. */
  get lastSeq(): number {
    return this.seq;
  }

  /** Deltas waiting for an earlier one. */
  get waiting(): number {
    return this.held.size;
  }

  apply(delta: LiveDelta): ApplyResult {
    if (delta.seq <= this.seq || this.held.has(delta.seq)) return 'duplicate';
    this.held.set(delta.seq, delta);
    let next = this.held.get(this.seq + 1);
    if (!next) return 'held';
    while (next) {
      this.held.delete(next.seq);
      for (const b of next.buckets) this.addBucket(b, this.inSegment(b));
      this.seq = next.seq;
      next = this.held.get(this.seq + 1);
    }
    return 'applied';
  }

  /** The part of a bucket's change counted in this overview's segment. */
  private inSegment(b: BucketDelta): Sums {
    if (this.segment.widget_id === undefined && this.segment.locale === undefined) return b;
    const sum: Sums = { thumbs_up: 0, thumbs_down: 0, csat_sum: 0, csat_count: 0, prompted: 0, responded: 0 };
    for (const s of b.segments ?? []) {
      if (!inSegment(this.segment, s.widget_id, s.locale)) continue;
      for (const k of SUMS) sum[k] += s[k];
    }
    return sum;
  }

  private addBucket(bucket: BucketDelta, b: Sums): void {
    const day = localDay(bucket.start, this.snapshot.tz);
    if (day >= this.snapshot.from && day <= this.snapshot.to) {
      const d = this.days.get(day) ?? { day, thumbs_up: 0, thumbs_down: 0, csat_sum: 0, csat_count: 0 };
      d.thumbs_up += b.thumbs_up;
      d.thumbs_down += b.thumbs_down;
      d.csat_sum += b.csat_sum;
      d.csat_count += b.csat_count;
      // Deltas of a worker before prompts have none.
      d.prompted = (d.prompted ?? 0) + (b.prompted ?? 0);
      d.responded = (d.responded ?? 0) + (b.responded ?? 0);
      this.days.set(day, d);
    } else if (day >= this.prev.from && day <= this.prev.to) {
      this.previous.up += b.thumbs_up;
      this.previous.down += b.thumbs_down;
    }
  }

  /** The overview as a fresh query would answer now. */
  get overview(): OverviewFigures {
    const q = { from: this.snapshot.from, to: this.snapshot.to, tz: this.snapshot.tz };
    return summarizeOverview(q, [...this.days.values()], this.previous, this.seq);
  }
}
