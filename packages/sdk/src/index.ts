export {
  BASE_BACKOFF_MS,
  backoffMs,
  createThumbline,
  MAX_BACKOFF_MS,
  ThumblineError,
  type ThumblineClient,
  type ThumblineOptions,
} from './client.ts';
export { newEventId } from './ids.ts';
export type { AutoEndCopy, CsatRating, Thumb, WidgetConfig, WidgetEvent } from './types.ts';
