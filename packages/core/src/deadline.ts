import { AppError } from './app-error.ts';

/**
 * The error every edge answers with when a dependency is down or does not answer in time:
 * `503 overloaded` with Retry-After, never a 500 or a hung request.
 */
export function dependencyUnavailable(dependency: string, cause?: unknown): AppError {
  return new AppError('overloaded', 503, `${dependency} is not answering; retry later`, {
    cause,
    headers: { 'Retry-After': '2' },
  });
}

/**
 * `work`, or a rejection with `onTimeout()` after `ms`. The work itself is not stopped
 * (pass it an AbortSignal or a server-side limit for that); the caller stops waiting.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
