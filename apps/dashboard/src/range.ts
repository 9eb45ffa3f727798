// The date range and time zone the Analyze screens and the inbox query with.
import { addDays, daysInclusive, isDate, isTimeZone, todayIn } from '@thumbline/events/calendar';

export type Preset = 'today' | '7' | '30' | '90' | 'custom';

export const PRESETS: { value: Preset; label: string }[] = [
  { value: 'today', label: 'Today' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
  { value: 'custom', label: 'Custom' },
];

/** The API refuses longer ranges. */
export const MAX_RANGE_DAYS = 400;

export interface RangeSelection {
  preset: Preset;
  /** Used when preset is custom. */
  from: string;
  to: string;
  tz: string;
}

export interface ResolvedRange {
  from: string;
  to: string;
  tz: string;
}

export function browserTimeZone(): string {
  try {
    const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return tz && isTimeZone(tz) ? tz : 'UTC';
  } catch {
    return 'UTC';
  }
}

const ZONES = [
  'UTC',
  'America/Los_Angeles',
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Australia/Lord_Howe',
];

/** The zones offered: a fixed list plus the browser's and the selected one. */
export function timeZoneOptions(selected: string): string[] {
  const out = [...ZONES];
  for (const tz of [browserTimeZone(), selected]) if (!out.includes(tz)) out.unshift(tz);
  return out;
}

export function defaultRange(): RangeSelection {
  const tz = browserTimeZone();
  const to = todayIn(tz);
  return { preset: '30', from: addDays(to, -29), to, tz };
}

/** The from/to/tz of a selection, or an error to show instead of querying. */
export function resolveRange(sel: RangeSelection, now = Date.now()): ResolvedRange | { error: string } {
  if (sel.preset !== 'custom') {
    const to = todayIn(sel.tz, now);
    const days = sel.preset === 'today' ? 1 : Number(sel.preset);
    return { from: addDays(to, -(days - 1)), to, tz: sel.tz };
  }
  if (!isDate(sel.from) || !isDate(sel.to)) return { error: 'Choose a start and an end date.' };
  if (sel.from > sel.to) return { error: 'The start date must not be after the end date.' };
  if (daysInclusive(sel.from, sel.to) > MAX_RANGE_DAYS) return { error: `Choose at most ${MAX_RANGE_DAYS} days.` };
  return { from: sel.from, to: sel.to, tz: sel.tz };
}

export function isResolved(r: ResolvedRange | { error: string }): r is ResolvedRange {
  return !('error' in r);
}
