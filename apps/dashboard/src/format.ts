// Display formatting (dates in the selected zone, numbers, changes).

const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});
const shortDayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** `2026-11-24` → `Tue, Nov 24, 2026`. */
export function formatDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? dayFormat.format(ms) : day;
}

/** `2026-11-24` → `Nov 24`. */
export function formatShortDay(day: string): string {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) ? shortDayFormat.format(ms) : day;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** An instant as a date and time in `tz`. */
export function formatDateTime(iso: string, tz: string): string {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return iso;
  let f = timeFormats.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    }
    timeFormats.set(tz, f);
  }
  return f.format(ms);
}

export function formatPct(pct: number | null): string {
  return pct === null ? '–' : `${pct.toLocaleString(undefined, { maximumFractionDigits: 1 })}%`;
}

export function formatAverage(avg: number | null): string {
  return avg === null ? '–' : avg.toFixed(2);
}

export interface Change {
  direction: 'up' | 'down' | 'flat' | 'new';
  text: string;
}

/** The change from `previous` to `current`, e.g. `▲ 20% vs previous period`. */
export function periodChange(current: number, previous: number): Change {
  if (previous === 0) {
    return current === 0
      ? { direction: 'flat', text: '– No change vs previous period' }
      : { direction: 'new', text: '▲ New vs previous period' };
  }
  const pct = Math.round(((current - previous) / previous) * 100);
  if (pct === 0) return { direction: 'flat', text: '– 0% vs previous period' };
  return pct > 0
    ? { direction: 'up', text: `▲ ${pct}% vs previous period` }
    : { direction: 'down', text: `▼ ${Math.abs(pct)}% vs previous period` };
}

/** `1 conversation`, `2 conversations`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** English name of a locale (`de` → `German`), or the tag itself. */
export function languageName(locale: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(locale) ?? locale;
  } catch {
    return locale;
  }
}
