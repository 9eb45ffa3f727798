// The segment (widget, language) the Analyze screens and the inbox query with, kept in the page's
// query string (`?widget_id=bubble-de&locale=de#/overview`) so a reload or a shared link keeps it.
// The hash stays the route's: every nav link (`#/…`) keeps the query string as it is.
import { useCallback, useState } from 'preact/hooks';
import type { SegmentFilter } from '@thumbline/events/segment';

export type { SegmentFilter };

/** The API's own limits (widgetIdSchema, localeSchema): a link with anything else is ignored. */
const WIDGET = /^.{1,64}$/s;
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

/** The segment named by a query string; absent or malformed values do not filter. */
export function segmentFromSearch(search: string): SegmentFilter {
  const q = new URLSearchParams(search);
  const widget = q.get('widget_id');
  const locale = q.get('locale');
  const out: SegmentFilter = {};
  if (widget !== null && WIDGET.test(widget)) out.widget_id = widget;
  if (locale !== null && locale.length <= 35 && LOCALE.test(locale)) out.locale = locale;
  return out;
}

/** `search` with the segment's parameters replaced (other parameters kept), `''` when none is left. */
export function searchWithSegment(search: string, segment: SegmentFilter): string {
  const q = new URLSearchParams(search);
  q.delete('widget_id');
  q.delete('locale');
  if (segment.widget_id !== undefined) q.set('widget_id', segment.widget_id);
  if (segment.locale !== undefined) q.set('locale', segment.locale);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The segment as API query parameters (absent ones left out by withQuery). */
export function segmentParams(segment: SegmentFilter): { widget_id?: string; locale?: string } {
  return { widget_id: segment.widget_id, locale: segment.locale };
}

export function isWholeWorkspace(segment: SegmentFilter): boolean {
  return segment.widget_id === undefined && segment.locale === undefined;
}

/** The selected segment, read from and written to the address bar (no history entry per change). */
export function useSegment(): [SegmentFilter, (next: SegmentFilter) => void] {
  const [segment, setSegment] = useState<SegmentFilter>(() => segmentFromSearch(location.search));
  const set = useCallback((next: SegmentFilter) => {
    history.replaceState(
      history.state,
      '',
      `${location.pathname}${searchWithSegment(location.search, next)}${location.hash}`,
    );
    setSegment(next);
  }, []);
  return [segment, set];
}
