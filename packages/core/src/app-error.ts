/**
 * The one error type of Thumbline. Callers branch on `code`, never on `message`.
 * `status` is the HTTP status an edge should answer with.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After for 429/503. */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

/** True when `err` is an AppError, optionally with the given code. */
export function isAppError(err: unknown, code?: string): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}
