/**
 * The demo page's settings: `?key=<public key>&widget=default&locale=en&conversation=<id>`,
 * plus `open=1` (open the chat at load) and `fast=1` (no delays in the script).
 */
export interface DemoSettings {
  /** The workspace's public key, from the query or remembered in localStorage. */
  key: string | null;
  widget: string;
  locale: string;
  conversation: string;
  open: boolean;
  fast: boolean;
}

const STORAGE_KEY = 'thumbline.demo.public_key';

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (privacy settings)
  }
}

export function rememberKey(key: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Not remembered: the form asks again next time.
  }
}

export function forgetKey(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing to forget
  }
}

/** `de-de` → `de-DE`; `en` for anything that is not a language tag. */
function canonicalLocale(raw: string | null): string {
  if (!raw) return 'en';
  try {
    return Intl.getCanonicalLocales(raw)[0] ?? 'en';
  } catch {
    return 'en';
  }
}

function randomId(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('');
}

const flag = (value: string | null) => value !== null && value !== '0' && value !== 'false';

export function readSettings(url: URL = new URL(location.href)): DemoSettings {
  const q = url.searchParams;
  const key = q.get('key')?.trim() || stored();
  const widget = (q.get('widget')?.trim() || 'default').slice(0, 64);
  const conversation = (q.get('conversation')?.trim() || `demo-${randomId()}`).slice(0, 128);
  return {
    key: key || null,
    widget,
    locale: canonicalLocale(q.get('locale')?.trim() || null),
    conversation,
    open: flag(q.get('open')),
    fast: flag(q.get('fast')),
  };
}

/** Puts (or removes) `key` in the address bar without reloading. */
export function setKeyInUrl(key: string | null): void {
  const url = new URL(location.href);
  if (key) url.searchParams.set('key', key);
  else url.searchParams.delete('key');
  history.replaceState(null, '', url);
}
