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
  /** The change alone, e.g. `▲ +261 (262×)`: kept on one line by the badge. */
  value: string;
  /** `value` and what it compares with. */
  text: string;
}

/** What every period change compares with. */
export const VS_PREVIOUS_PERIOD = 'vs previous period';
const change = (direction: Change['direction'], value: string): Change => ({
  direction,
  value,
  text: `${value} ${VS_PREVIOUS_PERIOD}`,
});

/**
 * From this many times the previous count on, the change reads as a ratio: "262×" says
 * what "+26100%" hides.
 */
const RATIO_FROM = 10;

/** `+2`, `−1,204` (a real minus sign, as in print). */
export function formatSignedCount(n: number): string {
  return `${n < 0 ? '\u2212' : '+'}${Math.abs(n).toLocaleString()}`;
}

/** A relative change as a readable share (`20%`, `<1%`, `>99%`) or, when large, a ratio (`262×`). */
function relativeChange(current: number, previous: number): string {
  const ratio = current / previous;
  if (ratio >= RATIO_FROM) {
    return `${ratio.toLocaleString(undefined, { maximumFractionDigits: ratio < 100 ? 1 : 0 })}×`;
  }
  const pct = (Math.abs(current - previous) / previous) * 100;
  if (pct < 1) return '<1%';
  // Rounding must not claim everything is gone while some is left.
  if (current > 0 && Math.round(pct) >= 100 && current < previous) return '>99%';
  return `${Math.round(pct)}%`;
}

/**
 * The change from `previous` to `current`: the absolute difference first (honest on tiny
 * bases), then the relative one, e.g. `▲ +2 (20%) vs previous period`,
 * `▲ +261 (262×) vs previous period`, `▼ −5 (50%) vs previous period`.
 */
export function periodChange(current: number, previous: number): Change {
  const diff = current - previous;
  if (diff === 0) return change('flat', '– No change');
  const amount = formatSignedCount(diff);
  if (previous === 0) return change('new', `▲ ${amount} (new)`);
  const relative = relativeChange(current, previous);
  return diff > 0 ? change('up', `▲ ${amount} (${relative})`) : change('down', `▼ ${amount} (${relative})`);
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
