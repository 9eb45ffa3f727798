// `@thumbline/sdk`: the browser client and the drop-in elements (ESM). The script-tag
// bundle is script-tag.ts; the Node client for chat backends is `@thumbline/sdk/server`.
export {
  BASE_BACKOFF_MS,
  backoffMs,
  createThumbline,
  MAX_BACKOFF_MS,
  ThumblineError,
  type ThumblineClient,
  type ThumblineOptions,
} from './client.ts';
export type { EventOptions } from './event-builders.ts';
export { defineElements, type ElementsOptions } from './elements/define.ts';
export { newEventId } from './ids.ts';
export type * from './types.ts';
