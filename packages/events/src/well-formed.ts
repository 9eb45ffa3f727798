/** A UTF-16 surrogate that is not half of a pair (in `u` mode a pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** True when `s` is well-formed Unicode: it holds no lone UTF-16 surrogate. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * The path (`reason`, `sources.2.title`) of the first string in `value` that is not
 * well-formed Unicode, or null. Walks every field, so a string field added to an event
 * later is covered without naming it here. ClickHouse refuses such a string
 * ("missing second part of surrogate pair"), so storage could never hold the event.
 */
export function illFormedField(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isWellFormed(value) ? null : path || '(value)';
  if (value === null || typeof value !== 'object') return null;
  // Paths are built only on the way to a bad string: most events have none.
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    if (typeof child === 'string' ? isWellFormed(child) : child === null || typeof child !== 'object') continue;
    const found = illFormedField(child, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}
