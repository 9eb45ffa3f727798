// Keeping a loaded inbox page current with the conversation changes of live deltas and the
// workspace's live review changes.
import { localDay } from '@thumbline/live-client';
import { inSegment, type SegmentFilter } from '@thumbline/events/segment';
import type { ConversationChange, InboxItem, LiveReview, Satisfaction } from '@thumbline/events';
import { matchesReview, type ReviewFilter } from './review.ts';

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
  /** By review; absent: all. */
  review?: ReviewFilter;
  /** The full-text search, when there is one (only the API can tell what matches it). */
  q?: string;
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

export function inQuery(c: InboxItem, q: InboxQuery): boolean {
  const day = localDay(c.started_at, q.tz);
  return (
    day >= q.from &&
    day <= q.to &&
    matchesFilter(c.satisfaction, q.filter) &&
    inSegment(q.segment ?? {}, c.widget_id, c.locale) &&
    matchesReview(c.review?.outcome ?? null, q.review ?? 'all')
  );
}

/** Newest first, then by id descending: the API's order. */
export function compareInbox(a: InboxItem, b: InboxItem): number {
  const ta = Date.parse(a.started_at);
  const tb = Date.parse(b.started_at);
  if (ta !== tb) return tb - ta;
  return a.conversation_id < b.conversation_id ? 1 : a.conversation_id > b.conversation_id ? -1 : 0;
}

/**
 * The list after some changes: a changed conversation is updated in place (or dropped when it
 * no longer matches the filter) unless the list holds a newer version of it; it keeps its preview
 * and review, which deltas do not carry. A new one that matches is inserted in order, unless more pages
 * are still to load and it sorts after the last loaded row (its page will bring it), or a search
 * is on (only the API knows whether it matches). Returns the same array when nothing changed.
 */
export function applyChanges(
  items: InboxItem[],
  changes: readonly ConversationChange[],
  q: InboxQuery,
  hasMore: boolean,
): InboxItem[] {
  let out = items;
  for (const change of changes) {
    const at = out.findIndex((c) => c.conversation_id === change.conversation_id);
    const known = at >= 0 ? (out[at] as InboxItem) : undefined;
    const next: InboxItem = { ...change, preview: known?.preview ?? null, review: known?.review ?? null };
    const keep = inQuery(next, q);
    if (known) {
      if (known.version >= next.version) continue;
      out = out.slice();
      if (keep) out[at] = next;
      else out.splice(at, 1);
      if (keep && out.length > 1) out.sort(compareInbox);
      continue;
    }
    if (!keep || q.q) continue;
    const last = out[out.length - 1];
    if (hasMore && last && compareInbox(next, last) > 0) continue;
    out = [...out, next].sort(compareInbox);
  }
  return out;
}

/**
 * The list after a review change: the row shows the new review, or leaves when the review filter
 * no longer takes it. A conversation not in the list stays out (its page, if any, brings it).
 */
export function applyReview(items: InboxItem[], change: LiveReview, q: InboxQuery): InboxItem[] {
  const at = items.findIndex((c) => c.conversation_id === change.conversation_id);
  const known = items[at];
  if (!known) return items;
  // Changes of one review may arrive out of order: the greater version is the newer.
  if (known.review && known.review.version >= change.version) return items;
  const next = { ...known, review: change.review };
  return inQuery(next, q) ? items.with(at, next) : items.filter((_c, i) => i !== at);
}

/** A next page appended; of a row present in both, the newer version stays where it is. */
export function appendPage(items: InboxItem[], page: readonly InboxItem[]): InboxItem[] {
  const fromPage = new Map(page.map((c) => [c.conversation_id, c]));
  const kept = items.map((c) => {
    const other = fromPage.get(c.conversation_id);
    fromPage.delete(c.conversation_id);
    return other && other.version > c.version ? other : c;
  });
  return [...kept, ...fromPage.values()];
}
