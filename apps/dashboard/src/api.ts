// Fetch helper for the Thumbline API: Bearer token in, JSON out, typed errors.
import type { ErrorBody } from '@thumbline/events';

/** A failed request: the API's error code and message, or `network_error` (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The whole error body (e.g. a 409's current state), when it was JSON. */
    readonly body: unknown = null,
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

export interface Download {
  blob: Blob;
  filename: string;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** The file name of a `Content-Disposition: attachment; filename="…"` header. */
export function attachmentName(header: string | null): string | null {
  const match = header ? /filename="([^"\\/]+)"/.exec(header) : null;
  return match?.[1] ?? null;
}

/** Hands a downloaded file to the browser's downloads, as a link with `download` would. */
export function saveFile({ blob, filename }: Download): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once may cancel the download in some browsers; a minute later it has the file.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
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

  /** Sends a request; a non-2xx answer becomes an ApiError (a 401 also calls onUnauthorized). */
  private async send(path: string, options: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept };
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
    if (res.ok) return res;
    const data = parseJson(await res.text().catch(() => ''));
    const body = (data as Partial<ErrorBody> | null)?.error;
    if (res.status === 401) this.onUnauthorized?.();
    throw new ApiError(
      res.status,
      typeof body?.code === 'string' ? body.code : `http_${res.status}`,
      typeof body?.message === 'string' ? body.message : `The server answered ${res.status} ${res.statusText}`.trim(),
      data,
    );
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(path, options, 'application/json');
    return parseJson(await res.text().catch(() => '')) as T;
  }

  /**
   * A file answer (e.g. an export) read whole, with the name its Content-Disposition gives
   * (else `fallback`). The token travels in the Authorization header, so a plain link cannot do it.
   */
  async download(path: string, params: QueryParams, fallback: string, signal?: AbortSignal): Promise<Download> {
    const res = await this.send(withQuery(path, params), { signal }, '*/*');
    const blob = await res.blob();
    return { blob, filename: attachmentName(res.headers.get('content-disposition')) ?? fallback };
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
