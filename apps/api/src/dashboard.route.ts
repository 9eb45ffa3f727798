import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { demoPageHeaders, pageHeaders } from '@thumbline/http';
import { mountSdk } from './sdk.route.ts';

const DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

function page(file: string): string {
  const path = `${DIST}${file}`;
  return existsSync(path)
    ? readFileSync(path, 'utf8')
    : '<!doctype html><p>The dashboard is not built: run <code>npm run build:web</code>.</p>';
}

/**
 * Serves the dashboard at `/`, the demo storefront at `/demo` and the browser SDK at
 * `/sdk/v1/thumbline.js` (all built by scripts/build-web.ts).
 */
export function mountDashboard(app: OpenAPIHono<any>): void {
  mountSdk(app);
  const dashboard = page('index.html');
  const demo = page('demo/index.html');
  app.get('/', pageHeaders, (c) => c.html(dashboard));
  app.get('/demo', demoPageHeaders, (c) => c.html(demo));
  app.get('/demo/', demoPageHeaders, (c) => c.html(demo));
  app.use('/assets/*', pageHeaders);
  app.use(
    '/assets/*',
    serveStatic({
      root: DIST,
      onFound: (_path, c) => {
        // Vite names assets by content hash: they never change.
        c.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
}
