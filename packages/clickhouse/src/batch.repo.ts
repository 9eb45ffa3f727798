import type { BatchChange, Citation } from '@thumbline/events';
import type { ClickHouse } from './client.ts';
import { TABLES } from './tables.ts';
import { isDataError, refusedRows, type RefusedRow } from './refused-rows.ts';

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
  /** An assistant message's cited sources (CONTRACT §11); absent or empty on other events. */
  sources?: Citation[];
  /** The shopper's opaque id (CONTRACT §14), '' for none. */
  shopper_id?: string;
}

/** A signed change of the aggregates (a row of `feedback_changes`); `bucket` in epoch seconds. */
export type ChangeRow = BatchChange;

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
  /** Widget and locale of the conversation's earliest event naming one ('' for none). */
  widget_id: string;
  locale: string;
}

export interface BatchRows {
  events: EventRow[];
  changes: ChangeRow[];
  conversations: ConversationRow[];
}

/**
 * The columns some row fills. The rest (text, reason, role... of a batch of thumbs; score and
 * rating of unrated conversations) are left out of the insert and take their defaults, which
 * are the same values: '' for strings, NULL for Nullable columns and [] for arrays (the one column with a
 * DEFAULT expression, conversations.committed_at, is always filled). Measured ~30 % cheaper
 * for the events of a batch of thumbs.
 */
function filledColumns<T extends object>(rows: readonly T[]): string[] {
  const first = rows[0];
  if (!first) return [];
  return (Object.keys(first) as (keyof T & string)[]).filter((c) =>
    rows.some((r) => r[c] !== ('' as unknown) && r[c] !== null && !(Array.isArray(r[c]) && r[c].length === 0)),
  );
}

/** The tables a batch writes after its state is committed, in this order (readers rely on it). */
export type SummaryTable = 'conversations' | 'changes';

/**
 * Inserts a batch's new events under a token derived from `batchId` (a retry of the same
 * rows is deduplicated by ClickHouse). When ClickHouse refuses the insert for its data,
 * nothing was stored: the rows it refuses are found through `events_gate` and returned,
 * and the caller resolves the batch again without them (ADR 0008). Other errors throw.
 */
export async function writeEvents(ch: ClickHouse, batchId: string, rows: readonly EventRow[]): Promise<RefusedRow[]> {
  const columns = filledColumns(rows);
  try {
    await ch.insert(TABLES.events, rows, { insert_deduplication_token: `${batchId}:events` }, columns);
    return [];
  } catch (err) {
    if (!isDataError(err)) throw err;
    const refused = await refusedRows(ch, TABLES.eventsGate, rows, columns);
    // The gate takes every row alone: the refusal was not about one row's data.
    if (refused.length === 0) throw err;
    return refused;
  }
}

/**
 * Inserts a batch's new conversation versions, stamped `committedAtMs` (the inbox pages
 * through versions stamped at or before its committed watermark, ADR 0005), under a
 * token derived from `batchId`.
 */
export async function writeConversations(
  ch: ClickHouse,
  batchId: string,
  rows: readonly ConversationRow[],
  committedAtMs: number,
): Promise<void> {
  const committedAt = toDateTime64(committedAtMs);
  const conversations = rows.map((r) => ({ ...r, committed_at: committedAt }));
  await ch.insert(
    TABLES.conversations,
    conversations,
    { insert_deduplication_token: `${batchId}:conversations` },
    filledColumns(conversations),
  );
}

/** Inserts a batch's signed changes (what the overview counts) under a token derived from `batchId`. */
export async function writeChanges(ch: ClickHouse, batchId: string, rows: readonly ChangeRow[]): Promise<void> {
  await ch.insert(TABLES.feedbackChanges, rows, { insert_deduplication_token: `${batchId}:changes` });
}

const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDate = '';
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Formats epoch ms the way DateTime64(3, 'UTC') columns read it ('YYYY-MM-DD hh:mm:ss.sss').
 * Called for several columns of every row: the date part is kept for the day, the time
 * part is arithmetic (Date#toISOString per call was ~3 % of the worker's CPU).
 */
export function toDateTime64(ms: number): string {
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (day !== cachedDay) {
    cachedDate = new Date(day).toISOString().split('T')[0] as string;
    cachedDay = day;
  }
  let rest = ms - day;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${cachedDate} ${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(rest - s * 1000, 3)}`;
}
