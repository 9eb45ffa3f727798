// Keeping a loaded inbox page current with the conversation changes of live deltas.
import { localDay } from '@thumbline/live-client';
import { inSegment, type SegmentFilter } from '@thumbline/events/segment';
import type { ConversationChange, ConversationSummary, Satisfaction } from '@thumbline/events';

export type FeedbackFilter = 'all' | 'upvote' | 'downvote' | 'unknown';

export const FEEDBACK_FILTERS: { value: FeedbackFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'upvote', label: 'Upvote' },
  { value: 'downvote', label: 'Downvote' },
  { value: 'unknown', label: 'Unknown' },
];

export interface InboxQuery {
  from: string;
  to: string;
  tz: string;
  filter: FeedbackFilter;
  /** The conversation's own widget and locale (its earliest event naming one) must match; none: any. */
  segment?: SegmentFilter;
}

/** The API's filter: upvote is positive CSAT, downvote negative, unknown unrated (neutral only under all). */
export function matchesFilter(satisfaction: Satisfaction, filter: FeedbackFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'upvote':
      return satisfaction === 'positive';
    case 'downvote':
      return satisfaction === 'negative';
    case 'unknown':
      return satisfaction === 'unknown';
  }
}

export function inQuery(c: ConversationSummary, q: InboxQuery): boolean {
  const day = localDay(c.started_at, q.tz);
  return (
    day >= q.from &&
    day <= q.to &&
    matchesFilter(c.satisfaction, q.filter) &&
    inSegment(q.segment ?? {}, c.widget_id, c.locale)
  );
}

/** Newest first, then by id descending: the API's order. */
export function compareInbox(a: ConversationSummary, b: ConversationSummary): number {
  const ta = Date.parse(a.started_at);
  const tb = Date.parse(b.started_at);
  if (ta !== tb) return tb - ta;
  return a.conversation_id < b.conversation_id ? 1 : a.conversation_id > b.conversation_id ? -1 : 0;
}

/**
 * The list after some changes: a changed conversation is updated in place (or dropped when it
 * no longer matches the filter) unless the list holds a newer version of it; a new one that matches is inserted in order, unless more pages
 * are still to load and it sorts after the last loaded row (its page will bring it).
 * Returns the same array when nothing changed.
 */
export function applyChanges(
  items: ConversationSummary[],
  changes: readonly ConversationChange[],
  q: InboxQuery,
  hasMore: boolean,
): ConversationSummary[] {
  let out = items;
  for (const change of changes) {
    const next: ConversationSummary = change;
    const at = out.findIndex((c) => c.conversation_id === next.conversation_id);
    const keep = inQuery(next, q);
    if (at >= 0) {
      if ((out[at] as ConversationSummary).version >= next.version) continue;
      out = out.slice();
      if (keep) out[at] = next;
      else out.splice(at, 1);
      if (keep && out.length > 1) out.sort(compareInbox);
      continue;
    }
    if (!keep) continue;
    const last = out[out.length - 1];
    if (hasMore && last && compareInbox(next, last) > 0) continue;
    out = [...out, next].sort(compareInbox);
  }
  return out;
}

/** A next page appended; of a row present in both, the newer version stays where it is. */
export function appendPage(items: ConversationSummary[], page: readonly ConversationSummary[]): ConversationSummary[] {
  const fromPage = new Map(page.map((c) => [c.conversation_id, c]));
  const kept = items.map((c) => {
    const other = fromPage.get(c.conversation_id);
    fromPage.delete(c.conversation_id);
    return other && other.version > c.version ? other : c;
  });
  return [...kept, ...fromPage.values()];
}
