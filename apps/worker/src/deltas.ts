import { negativeReason, satisfaction, type LiveDelta } from '@thumbline/events';
import type { BatchResolution } from '@thumbline/events';

/** A workspace's part of a committed batch, as the live stream carries it (no seq yet). */
export interface WorkspaceDelta {
  workspaceId: string;
  delta: Omit<LiveDelta, 'seq'>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Splits a batch's resolution into one delta per workspace: bucket changes summed per
 * 15-minute bucket (exactly what the batch added to the aggregates) and the new
 * summaries of the conversations it changed. Workspaces with neither are left out.
 */
export function workspaceDeltas(res: BatchResolution): WorkspaceDelta[] {
  const byWs = new Map<
    string,
    { buckets: Map<number, LiveDelta['buckets'][number]>; conversations: LiveDelta['conversations'] }
  >();
  const of = (ws: string) => {
    let d = byWs.get(ws);
    if (!d) byWs.set(ws, (d = { buckets: new Map(), conversations: [] }));
    return d;
  };
  for (const c of res.changes) {
    const buckets = of(c.workspace_id).buckets;
    const b = buckets.get(c.bucket) ?? {
      start: iso(c.bucket * 1000),
      thumbs_up: 0,
      thumbs_down: 0,
      csat_sum: 0,
      csat_count: 0,
    };
    b.thumbs_up += c.thumbs_up;
    b.thumbs_down += c.thumbs_down;
    b.csat_sum += c.csat_sum;
    b.csat_count += c.csat_count;
    buckets.set(c.bucket, b);
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
    });
  }
  return [...byWs.entries()].map(([workspaceId, d]) => ({
    workspaceId,
    delta: {
      buckets: [...d.buckets.values()].filter((b) => b.thumbs_up || b.thumbs_down || b.csat_sum || b.csat_count),
      conversations: d.conversations,
    },
  }));
}
