import { negativeReason, satisfaction, type LiveDelta, type SegmentDelta } from '@thumbline/events';
import type { BatchResolution } from '@thumbline/events';

/** A workspace's part of a committed batch, as the live stream carries it (no seq yet). */
export interface WorkspaceDelta {
  workspaceId: string;
  delta: Omit<LiveDelta, 'seq'>;
}

type Bucket = LiveDelta['buckets'][number];
type Sums = Omit<SegmentDelta, 'widget_id' | 'locale'>;

const iso = (ms: number) => new Date(ms).toISOString();
const SUMS = ['thumbs_up', 'thumbs_down', 'csat_sum', 'csat_count', 'prompted', 'responded'] as const;
const zero = (): Sums => ({ thumbs_up: 0, thumbs_down: 0, csat_sum: 0, csat_count: 0, prompted: 0, responded: 0 });
const nonZero = (s: Sums) => SUMS.some((k) => s[k] !== 0);

/**
 * Splits a batch's resolution into one delta per workspace: bucket changes summed per
 * 15-minute bucket (exactly what the batch added to the aggregates), each split by segment,
 * and the new summaries of the conversations it changed. Workspaces with neither are left out.
 */
export function workspaceDeltas(res: BatchResolution): WorkspaceDelta[] {
  const byWs = new Map<
    string,
    {
      buckets: Map<number, { bucket: Bucket; segments: Map<string, SegmentDelta> }>;
      conversations: LiveDelta['conversations'];
    }
  >();
  const of = (ws: string) => {
    let d = byWs.get(ws);
    if (!d) byWs.set(ws, (d = { buckets: new Map(), conversations: [] }));
    return d;
  };
  for (const c of res.changes) {
    const buckets = of(c.workspace_id).buckets;
    let b = buckets.get(c.bucket);
    if (!b)
      buckets.set(
        c.bucket,
        (b = { bucket: { start: iso(c.bucket * 1000), ...zero(), segments: [] }, segments: new Map() }),
      );
    const key = JSON.stringify([c.widget_id, c.locale]);
    let seg = b.segments.get(key);
    if (!seg) {
      seg = { widget_id: c.widget_id || null, locale: c.locale || null, ...zero() };
      b.segments.set(key, seg);
    }
    for (const k of SUMS) {
      b.bucket[k] += c[k];
      seg[k] += c[k];
    }
  }
  for (const c of res.conversations) {
    of(c.workspace_id).conversations.push({
      conversation_id: c.conversation_id,
      started_at: iso(c.started),
      satisfaction: satisfaction(c.score),
      score: c.score,
      negative_reason: negativeReason(c.score, c.reason),
      thumbs_up: c.thumbs_up,
      thumbs_down: c.thumbs_down,
      version: c.version,
      widget_id: c.widget_id || null,
      locale: c.locale || null,
    });
  }
  return [...byWs.entries()].map(([workspaceId, d]) => ({
    workspaceId,
    delta: {
      buckets: [...d.buckets.values()]
        .map(({ bucket, segments }) => ({ ...bucket, segments: [...segments.values()].filter(nonZero) }))
        .filter(nonZero),
      conversations: d.conversations,
    },
  }));
}
