// Segments (docs/data-model.md, segments) on the client side: which live changes a dashboard filtered to a
// segment applies. Mirrors segmentCondition() in packages/clickhouse (the SQL every query
// filters with): `locale` without a region matches its language, with one exactly, both
// ignoring case; absent fields do not filter. No zod: browser bundles import it directly.

/** A segment filter as the query parameters give it. */
export interface SegmentFilter {
  widget_id?: string | undefined;
  locale?: string | undefined;
}

/** Whether something counted in widget `widget` and locale `locale` (null or '' = none) is in `filter`. */
export function inSegment(filter: SegmentFilter, widget: string | null, locale: string | null): boolean {
  if (filter.widget_id !== undefined && (widget ?? '') !== filter.widget_id) return false;
  if (filter.locale === undefined) return true;
  const want = filter.locale.toLowerCase();
  const have = (locale ?? '').toLowerCase();
  return want.includes('-') ? have === want : have === want || have.startsWith(`${want}-`);
}

/** The language of a locale: its primary subtag, lowercased ('' for none), like languageOf() in SQL. */
export const language = (locale: string | null): string => (locale ?? '').split('-')[0]?.toLowerCase() ?? '';
