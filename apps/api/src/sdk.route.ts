import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@thumbline/core';

/** Where the script-tag bundle is served; `v1` changes only with a breaking change of the snippet. */
export const SDK_BUNDLE_PATH = '/sdk/v1/thumbline.js';

export interface SdkBundle {
  /** The minified script. */
  body: Buffer;
  /** `sha384-…`, for `<script integrity>`. */
  integrity: string;
  etag: string;
}

/** The built bundle (`packages/sdk/dist/thumbline.js`, made by scripts/build-web.ts), or null. */
export function loadSdkBundle(): SdkBundle | null {
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve('@thumbline/sdk/thumbline.js');
  } catch {
    return null;
  }
  if (!existsSync(path)) return null;
  const body = readFileSync(path);
  const integrity = `sha384-${createHash('sha384').update(body).digest('base64')}`;
  return { body, integrity, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

/**
 * Serves the browser SDK at /sdk/v1/thumbline.js: no token, any origin (a storefront loads
 * it cross-origin, with `integrity` and `crossorigin="anonymous"`), cacheable for a year
 * and revalidated by ETag. `X-Thumbline-Integrity` carries the SRI hash for the snippet.
 */
export function mountSdk(app: OpenAPIHono<any>, bundle: SdkBundle | null = loadSdkBundle()): void {
  // Listed in /openapi.json and /docs beside the API it calls (docs/sdk.md has the rest).
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: SDK_BUNDLE_PATH,
    tags: ['SDK'],
    summary: 'The browser SDK: the script-tag bundle with <thumbline-feedback> and <thumbline-csat>',
    description:
      'No token. `<script src="…/sdk/v1/thumbline.js" data-key="pk_…" async></script>` creates a client for the ' +
      'public key and defines the custom elements `<thumbline-feedback conversation message>` (thumbs up, then ' +
      'down, with aria-pressed; a second click on the pressed thumb clears it) and `<thumbline-csat conversation>` ' +
      '(the Auto-end conversation prompt with the widget copy for the page language, only while the widget has CSAT ' +
      'on). The page origin must be one of the workspace allowed origins. Cacheable for a year (ETag); ' +
      '`X-Thumbline-Integrity` is its SRI hash; at most 6 KB gzipped.',
    responses: {
      200: {
        description: 'The minified script',
        headers: {
          'X-Thumbline-Integrity': { description: '`sha384-…` for `<script integrity>`', schema: { type: 'string' } },
        },
        content: { 'text/javascript': { schema: { type: 'string' } } },
      },
      304: { description: 'Not modified (If-None-Match)' },
      404: { description: 'Not built (`npm run build:web`)' },
    },
  });
  app.get(SDK_BUNDLE_PATH, (c) => {
    if (!bundle) throw new AppError('not_found', 404, 'the SDK is not built: run `npm run build:web`');
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=31536000');
    c.header('ETag', bundle.etag);
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Thumbline-Integrity', bundle.integrity);
    if (c.req.header('if-none-match') === bundle.etag) return c.body(null, 304);
    return c.body(new Uint8Array(bundle.body));
  });
}
