// The rows a batch writes, from its events and its resolution: the state scripts' items, the
// raw events, the signed changes and the conversation versions.
import { citations, negativeReason, type BatchItem, type BatchResolution } from '@thumbline/events';
import { toDateTime64, type BatchRows, type EventRow } from '@thumbline/clickhouse';
import type { BatchEvent } from './stages/load.ts';

/** What the state script needs of each event. */
export function stateItem(b: BatchEvent): BatchItem {
  const e = b.event;
  const item: BatchItem = {
    w: b.workspaceId,
    r: b.recv,
    e: { event_id: e.event_id, type: e.type, ts: e.ts, conversation_id: e.conversation_id },
  };
  if (e.widget_id !== undefined) item.e.widget_id = e.widget_id;
  if (e.locale !== undefined) item.e.locale = e.locale;
  if (e.type === 'message.feedback') {
    item.e.message_id = e.message_id;
    item.e.thumb = e.thumb;
  } else if (e.type === 'conversation.csat') {
    item.e.score = e.score;
    if (e.reason !== undefined) item.e.reason = e.reason;
  }
  return item;
}

function eventRow(b: BatchEvent): EventRow {
  const e = b.event;
  return {
    workspace_id: b.workspaceId,
    event_id: e.event_id,
    type: e.type,
    ts: toDateTime64(e.ts),
    recv: b.recv,
    conversation_id: e.conversation_id,
    widget_id: e.widget_id ?? '',
    locale: e.locale ?? '',
    message_id: 'message_id' in e ? e.message_id : '',
    role: e.type === 'message.created' ? e.role : '',
    text: e.type === 'message.created' ? (e.text ?? '') : '',
    thumb: 'thumb' in e && e.thumb !== undefined ? e.thumb : '',
    score: e.type === 'conversation.csat' ? (e.score ?? null) : null,
    reason: e.type === 'conversation.csat' ? (e.reason ?? '') : '',
    channel: e.type === 'conversation.started' ? (e.channel ?? '') : '',
    received_at: toDateTime64(b.receivedAt),
    sources: e.type === 'message.created' ? citations(e.sources) : [],
    shopper_id: e.shopper_id ?? '',
  };
}

/** The raw rows of a resolution's new events. */
export function eventRows(events: readonly BatchEvent[], res: Pick<BatchResolution, 'fresh'>): EventRow[] {
  return res.fresh.map((i) => eventRow(events[i] as BatchEvent));
}

/**
 * The summary rows of a resolved batch: its signed changes and its conversations' new
 * versions. Depends only on the batch and its resolution (cached for retries), so a retry
 * produces exactly the same rows (and dedup tokens hold).
 */
export function summaryRows(events: readonly BatchEvent[], res: BatchResolution): Omit<BatchRows, 'events'> {
  let latest = 0;
  for (const e of events) if (e.receivedAt > latest) latest = e.receivedAt;
  const updatedAt = toDateTime64(latest);
  return {
    changes: res.changes,
    conversations: res.conversations.map((c) => ({
      workspace_id: c.workspace_id,
      conversation_id: c.conversation_id,
      started_at: toDateTime64(c.started),
      score: c.score,
      negative_reason: negativeReason(c.score, c.reason),
      rated_at: c.rated === null ? null : toDateTime64(c.rated),
      thumbs_up: c.thumbs_up,
      thumbs_down: c.thumbs_down,
      version: c.version,
      updated_at: updatedAt,
      widget_id: c.widget_id,
      locale: c.locale,
    })),
  };
}

/** Every ClickHouse row of a resolved batch: its new events' raw rows and its summary rows. */
export function batchRows(events: readonly BatchEvent[], res: BatchResolution): BatchRows {
  return { events: eventRows(events, res), ...summaryRows(events, res) };
}
