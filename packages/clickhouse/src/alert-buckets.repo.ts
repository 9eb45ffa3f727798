import type { ClickHouse } from './client.ts';
import { segmentCondition, type Segment } from './segment.ts';
import { TABLES } from './tables.ts';

/** Sums of one bucket in one segment. */
export interface SegmentSums {
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
}

/** One 15-minute bucket (start, epoch ms) with the sums of each requested segment, in request order. */
export interface AlertBucket {
  bucket: number;
  segments: SegmentSums[];
}

/** A segment's condition with its parameters renamed `s<i>_*`, so several fit in one query. */
function numberedCondition(segment: Segment, i: number): { sql: string; params: Record<string, string> } {
  const { sql, params } = segmentCondition(segment);
  return {
    sql: sql.replaceAll('{seg_', `{s${i}_`),
    params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k.replace(/^seg_/, `s${i}_`), v])),
  };
}

/**
 * The buckets of a workspace from `from` (epoch ms, inclusive) on, with thumbs and CSAT
 * sums for each of `segments` (an empty segment is the whole workspace): one query for
 * every alert rule of the workspace, however many segments they name. Segments match as
 * everywhere else (segmentCondition); buckets with nothing are absent.
 */
export async function alertBuckets(
  ch: ClickHouse,
  q: { workspaceId: string; from: number; segments: readonly Segment[] },
): Promise<AlertBucket[]> {
  const params: Record<string, unknown> = { ws: q.workspaceId, from: Math.floor(q.from / 1000) };
  const columns = q.segments.map((segment, i) => {
    const c = numberedCondition(segment, i);
    Object.assign(params, c.params);
    return `sumIf(thumbs_up, ${c.sql}) AS u${i}, sumIf(thumbs_down, ${c.sql}) AS d${i},
            sumIf(csat_sum, ${c.sql}) AS cs${i}, sumIf(csat_count, ${c.sql}) AS cc${i}`;
  });
  if (columns.length === 0) return [];
  const rows = await ch.query<Record<string, string | number>>(
    `SELECT toUnixTimestamp(bucket) AS t, ${columns.join(', ')}
       FROM ${TABLES.feedback15m}
      WHERE workspace_id = {ws:String} AND bucket >= toDateTime({from:UInt32}, 'UTC')
      GROUP BY t
      ORDER BY t`,
    params,
  );
  return rows.map((r) => ({
    bucket: Number(r.t) * 1000,
    segments: q.segments.map((_, i) => ({
      thumbs_up: Number(r[`u${i}`]),
      thumbs_down: Number(r[`d${i}`]),
      csat_sum: Number(r[`cs${i}`]),
      csat_count: Number(r[`cc${i}`]),
    })),
  }));
}
