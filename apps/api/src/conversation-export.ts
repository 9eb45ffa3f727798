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

/**
 * Characters after which a spreadsheet may start a new cell or row: the comma this file uses, the
 * semicolon most European locales split on (so `w;=1` would start a cell with `=1` there), a tab
 * (tab-separated import), and line breaks (a reader that loses track of quotes starts a row there).
 */
const CELL_BOUNDARY = new Set([',', ';', '\t', '\r', '\n']);

/** What a spreadsheet skips before it reads a cell's first character: whitespace (NBSP, vertical tab, …), zero-width characters and quotes. */
const SKIPPED = /["\s\u200b-\u200d\u2060\ufeff]/;

/**
 * True when a cell read from `value` at `at` would be run as a formula (OWASP's list: = + - @,
 * tab, CR), judging its first visible character by its compatibility form, so full-width `＝＋－＠`
 * and small `﹦﹢﹣﹫` count as what they look like.
 */
function startsFormula(value: string, at: number): boolean {
  const first = value[at];
  if (first === '\t' || first === '\r') return true;
  let i = at;
  while (i < value.length && SKIPPED.test(value[i] as string)) i++;
  const cp = value.codePointAt(i);
  return cp !== undefined && /^[=+\-@]/.test(String.fromCodePoint(cp).normalize('NFKC'));
}

/**
 * `value` with `'` put before every place a spreadsheet could start a cell that runs as a formula:
 * its start, and after each cell boundary inside it. A spreadsheet shows a cell starting with `'`
 * as text, so `=HYPERLINK(…)` from a shopper's `negative_reason` is shown, not run.
 */
export function neutraliseFormulas(value: string): string {
  let out = '';
  for (let i = 0; i <= value.length; i++) {
    if ((i === 0 || CELL_BOUNDARY.has(value[i - 1] as string)) && startsFormula(value, i)) out += "'";
    if (i < value.length) out += value[i];
  }
  return out;
}

/**
 * One CSV field (RFC 4180), always quoted (quotes doubled), so a comma-splitting reader never splits
 * a value; a semicolon-splitting one still may, which is why text is neutralised first (neutraliseFormulas). Null is an empty, unquoted field, so
 * it stays apart from an empty string.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : neutraliseFormulas(value);
  return `"${text.replaceAll('"', '""')}"`;
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
