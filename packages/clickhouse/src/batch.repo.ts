import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';

/** A row of `events`: times as 'YYYY-MM-DD hh:mm:ss.sss' UTC. */
export interface EventRow {
  workspace_id: string;
  event_id: string;
  type: string;
  ts: string;
  recv: string;
  conversation_id: string;
  widget_id: string;
  locale: string;
  message_id: string;
  role: string;
  text: string;
  thumb: string;
  score: number | null;
  reason: string;
  channel: string;
  received_at: string;
}

/** A signed change of the aggregates; `bucket` in epoch seconds. */
export interface ChangeRow {
  workspace_id: string;
  bucket: number;
  conversation_id: string;
  message_id: string;
  event_id: string;
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
}

/** A new version of a conversation's summary. */
export interface ConversationRow {
  workspace_id: string;
  conversation_id: string;
  started_at: string;
  score: number | null;
  negative_reason: string | null;
  rated_at: string | null;
  thumbs_up: number;
  thumbs_down: number;
  version: number;
  updated_at: string;
}

export interface BatchRows {
  events: EventRow[];
  changes: ChangeRow[];
  conversations: ConversationRow[];
}

/**
 * Writes one processed batch. Each table gets a token derived from `batchId`, so a
 * retried batch that produces the same rows is deduplicated by ClickHouse, including
 * in the materialized views, and counts once.
 */
export async function writeBatch(ch: ClickHouse, batchId: string, rows: BatchRows): Promise<void> {
  // committed_at is the time of this attempt: a retry's rows differ only there, and the
  // token (not the content) decides deduplication, so the first commit's stamp stays.
  const committedAt = toDateTime64(Date.now());
  // The three inserts are independent (each deduplicated by its own token), so they run
  // together: the engine works on them in parallel. All must succeed before the batch counts,
  // and a failure is reported only once none is still running (a retry never overlaps one).
  const settled = await Promise.allSettled([
    ch.insert(TABLES.events, rows.events, { insert_deduplication_token: `${batchId}:events` }),
    ch.insert(TABLES.feedbackChanges, rows.changes, { insert_deduplication_token: `${batchId}:changes` }),
    ch.insert(
      TABLES.conversations,
      rows.conversations.map((r) => ({ ...r, committed_at: committedAt })),
      { insert_deduplication_token: `${batchId}:conversations` },
    ),
  ]);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

let lastMs = NaN;
let lastText = '';

/**
 * Formats epoch ms the way DateTime64(3, 'UTC') columns read it. Rows of a batch share
 * most times (an entry's events arrive together), so the last answer is kept.
 */
export function toDateTime64(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
    lastMs = ms;
  }
  return lastText;
}
