// Segments (CONTRACT §9): which rows a `widget_id` / `locale` filter selects, as one SQL
// condition every query shares, so "de matches de-AT" means the same on every route.

/** A filter by the segment an event was counted in; absent fields do not filter. */
export interface Segment {
  widget_id?: string | undefined;
  locale?: string | undefined;
}

/** Column names of the segment in the table being filtered. */
export interface SegmentColumns {
  widget: string;
  locale: string;
}

const DEFAULT_COLUMNS: SegmentColumns = { widget: 'widget_id', locale: 'locale' };

/**
 * The condition (`1` when the segment is empty) and its parameters (named `seg_*`, so they
 * never clash with a query's own). `locale` without a region matches its language
 * (`de` matches `de`, `de-DE`, `de-AT`); with a region it matches exactly. Both ignore case.
 */
export function segmentCondition(
  segment: Segment,
  columns: SegmentColumns = DEFAULT_COLUMNS,
): { sql: string; params: Record<string, string> } {
  const parts: string[] = [];
  const params: Record<string, string> = {};
  if (segment.widget_id !== undefined) {
    parts.push(`${columns.widget} = {seg_widget:String}`);
    params.seg_widget = segment.widget_id;
  }
  if (segment.locale !== undefined) {
    const locale = segment.locale.toLowerCase();
    if (locale.includes('-')) {
      parts.push(`lower(${columns.locale}) = {seg_locale:String}`);
      params.seg_locale = locale;
    } else {
      parts.push(
        `(lower(${columns.locale}) = {seg_locale:String} OR startsWith(lower(${columns.locale}), {seg_prefix:String}))`,
      );
      params.seg_locale = locale;
      params.seg_prefix = `${locale}-`;
    }
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1', params };
}

/** SQL for the language of a locale column: its primary subtag, lowercased ('' for none). */
export const languageOf = (column: string) => `lower(splitByChar('-', ${column})[1])`;
