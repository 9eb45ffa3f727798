// Tokens live in sessionStorage: they last as long as the tab and never reach the URL or logs.

const DASHBOARD_KEY = 'thumbline.dashboard_token';
const ADMIN_KEY = 'thumbline.admin_token';

function read(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, value);
  } catch {
    // Storage disabled: the token then lasts until the page reloads.
  }
}

export const dashboardToken = {
  get: (): string | null => read(DASHBOARD_KEY),
  set: (token: string | null): void => write(DASHBOARD_KEY, token),
};

export const adminToken = {
  get: (): string | null => read(ADMIN_KEY),
  set: (token: string | null): void => write(ADMIN_KEY, token),
};

/**
 * The token of a sign-in link (`/#token=<dashboard_token>`), removed from the address bar
 * (replaced by `#/overview`) so it is neither bookmarked nor shared by accident.
 * Null when the hash is not a sign-in link.
 */
export function takeTokenFromHash(): string | null {
  const match = /^#token=([^&]*)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/overview`);
  try {
    return decodeURIComponent(match[1] ?? '').trim() || null;
  } catch {
    return null;
  }
}
