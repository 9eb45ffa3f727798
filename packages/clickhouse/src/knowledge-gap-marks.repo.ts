// Knowledge gaps marked answered (CONTRACT §13, clickhouse/0013_knowledge_gap_marks.sql): one
// row per change, the greatest version of a gap is its state.
import type { GapMark } from '@thumbline/events';
import { toDateTime64 } from './batch.repo.ts';
import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

/** Most marked gaps read per workspace (the latest marked first): bounds each gap list's work. */
export const GAP_MARKS_LIMIT = 500;

let lastVersion = 0;
/**
 * Microseconds of now, strictly growing within this process: of two changes to one gap, the
 * later one wins (changes from two processes in the same microsecond: either).
 */
function nextVersion(now: number): number {
  lastVersion = Math.max(lastVersion + 1, now * 1000);
  return lastVersion;
}

/** Marks gap `gapId` answered at `at` (epoch ms), or changes its mark; `keys` are the gap's question keys. */
export async function markGapAnswered(
  ch: ClickHouse,
  m: { workspaceId: string; gapId: string; at: number; sourceId: string; keys: readonly string[] },
  now = Date.now(),
): Promise<void> {
  await ch.insert(TABLES.knowledgeGapMarks, [
    {
      workspace_id: m.workspaceId,
      gap_id: m.gapId,
      marked: 1,
      at: toDateTime64(m.at),
      source_id: m.sourceId,
      keys: m.keys,
      version: nextVersion(now),
      changed_at: toDateTime64(now),
    },
  ]);
}

/** Unmarks gap `gapId`; false when it was not marked. */
export async function unmarkGapAnswered(
  ch: ClickHouse,
  workspaceId: string,
  gapId: string,
  now = Date.now(),
): Promise<boolean> {
  const [current] = await gapMarks(ch, workspaceId, [gapId]);
  if (!current) return false;
  await ch.insert(TABLES.knowledgeGapMarks, [
    {
      workspace_id: workspaceId,
      gap_id: gapId,
      marked: 0,
      at: toDateTime64(current.at),
      source_id: '',
      keys: [],
      version: nextVersion(now),
      changed_at: toDateTime64(now),
    },
  ]);
  return true;
}

/** The workspace's marked gaps (only `gapIds` when given), the latest marked first, at most GAP_MARKS_LIMIT. */
export async function gapMarks(ch: ClickHouse, workspaceId: string, gapIds?: readonly string[]): Promise<GapMark[]> {
  const rows = await ch.query<{ gap_id: string; at: string | number; source_id: string; keys: string[] }>(
    `SELECT gap_id, toUnixTimestamp64Milli(argMax(at, version)) AS at, argMax(source_id, version) AS source_id,
            argMax(keys, version) AS keys
       FROM ${TABLES.knowledgeGapMarks}
      WHERE workspace_id = {ws:String} ${gapIds ? 'AND gap_id IN {ids:Array(String)}' : ''}
      GROUP BY gap_id
     HAVING argMax(marked, version) = 1
      ORDER BY max(version) DESC
      LIMIT {limit:UInt32}`,
    { ws: workspaceId, ids: gapIds ?? [], limit: GAP_MARKS_LIMIT },
  );
  return rows.map((r) => ({ gap_id: r.gap_id, at: Number(r.at), source_id: r.source_id, keys: r.keys }));
}
