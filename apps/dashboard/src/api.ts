// Fetch helper for the Thumbline API: Bearer token in, JSON out, typed errors.
import type { ErrorBody } from '@thumbline/events';

/** A failed request: the API's error code and message, or `network_error` (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type QueryParams = Record<string, string | number | undefined | null>;

export function withQuery(path: string, params?: QueryParams): string {
  if (!params) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** True for the rejection of an aborted request (a newer one replaced it). */
export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}

/** A message for any failure, for display. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Please try again.';
}

export interface RequestOptions {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
}

export class Api {
  /**
   * @param token Bearer token sent with every request.
   * @param onUnauthorized called on a 401 (the token was revoked or is wrong).
   */
  constructor(
    private readonly token: string,
    private readonly onUnauthorized?: () => void,
  ) {}

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError(0, 'network_error', 'Could not reach Thumbline. Check the connection and try again.');
    }
    const text = await res.text().catch(() => '');
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const body = (data as Partial<ErrorBody> | null)?.error;
      if (res.status === 401) this.onUnauthorized?.();
      throw new ApiError(
        res.status,
        typeof body?.code === 'string' ? body.code : `http_${res.status}`,
        typeof body?.message === 'string' ? body.message : `The server answered ${res.status} ${res.statusText}`.trim(),
      );
    }
    return data as T;
  }

  get<T>(path: string, params?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.request<T>(withQuery(path, params), { signal });
  }

  put<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { method: 'PUT', body, signal });
  }

  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { method: 'POST', body, signal });
  }

  delete(path: string, signal?: AbortSignal): Promise<void> {
    return this.request<void>(path, { method: 'DELETE', signal });
  }
}
