import { errorMessage, isAbort } from './api.ts';

/** How long typing must pause before a field's data loads. */
export const PAUSE_MS = 350;

/**
 * Runs `load` once typing pauses and reports the outcome; returns the effect cleanup,
 * which cancels both the wait and a request still in flight (a superseded answer is
 * never reported).
 */
export function loadAfterPause<T>(
  load: (signal: AbortSignal) => Promise<T>,
  done: { loaded: (value: T) => void; failed: (message: string) => void },
): () => void {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    load(controller.signal).then(done.loaded, (err: unknown) => {
      if (!isAbort(err)) done.failed(errorMessage(err));
    });
  }, PAUSE_MS);
  return () => {
    clearTimeout(timer);
    controller.abort();
  };
}
