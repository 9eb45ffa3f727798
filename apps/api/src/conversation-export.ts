// Rows of `GET /v1/conversations/export` (CONTRACT §9): CSV per RFC 4180 or NDJSON.
import type { ConversationSummary } from '@thumbline/events';

/** The contract's header row, in column order. */
export const EXPORT_COLUMNS = [
  'conversation_id',
  'started_at',
  'satisfaction',
  'score',
  'negative_reason',
  'thumbs_up',
  'thumbs_down',
  'widget_id',
  'locale',
] as const;

export type ExportFormat = 'csv' | 'ndjson';

/** Characters a spreadsheet reads as the start of a formula (OWASP's list: = + - @, tab, CR). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * A text value starting like a formula is prefixed with `'`, so a spreadsheet shows it as text
 * instead of running it (a shopper's `negative_reason` of `=HYPERLINK(…)`). Numbers are left alone.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A record with CRLF line end. */
const csvLine = (fields: readonly (string | number | null)[]) => `${fields.map(csvField).join(',')}\r\n`;

/** What starts the file (the header row for CSV, nothing for NDJSON). */
export function exportHead(format: ExportFormat): string {
  return format === 'csv' ? `${EXPORT_COLUMNS.join(',')}\r\n` : '';
}

/** One conversation: a CSV record or an NDJSON line with the same fields (null where CSV is empty). */
export function exportRow(format: ExportFormat, s: ConversationSummary): string {
  const row = {
    conversation_id: s.conversation_id,
    started_at: s.started_at,
    satisfaction: s.satisfaction,
    score: s.score,
    negative_reason: s.negative_reason,
    thumbs_up: s.thumbs_up,
    thumbs_down: s.thumbs_down,
    widget_id: s.widget_id,
    locale: s.locale,
  };
  return format === 'csv' ? csvLine(EXPORT_COLUMNS.map((k) => row[k])) : `${JSON.stringify(row)}\n`;
}
