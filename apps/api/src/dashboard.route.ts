import type { OpenAPIHono } from '@hono/zod-openapi';
import { readFileSync } from 'node:fs';

const PAGE = readFileSync(new URL('../../dashboard/index.html', import.meta.url), 'utf8');

/** Serves the dashboard at `/`. */
export function mountDashboard(app: OpenAPIHono<any>): void {
  app.get('/', (c) => c.html(PAGE));
}
