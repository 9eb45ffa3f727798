import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ANALYST_SQL_CAPS, runAnalystSql, type ClickHouse } from '@thumbline/clickhouse';
import { errorSchema, sqlRequestSchema, sqlResultSchema } from '@thumbline/events';
import { requireJsonBody, type AuthVariables } from '@thumbline/http';

const errors = {
  400: {
    description: 'invalid_json, invalid_body, read_only, query_limit_exceeded, query_failed',
    content: { 'application/json': { schema: errorSchema } },
  },
  401: { description: 'unauthorized', content: { 'application/json': { schema: errorSchema } } },
  415: { description: 'unsupported_media_type', content: { 'application/json': { schema: errorSchema } } },
};

export const sqlRoute = createRoute({
  method: 'post',
  path: '/v1/sql',
  summary: 'Run one read-only SELECT (admin token)',
  description:
    `Exactly one SELECT runs, read-only, with caps the request cannot lift: ${ANALYST_SQL_CAPS.max_execution_time} s, ` +
    `${ANALYST_SQL_CAPS.max_memory_usage / 1024 ** 3} GiB of memory, ${ANALYST_SQL_CAPS.max_rows_to_read} rows read, ` +
    `${ANALYST_SQL_CAPS.max_result_rows} result rows, ${ANALYST_SQL_CAPS.max_result_bytes / 1024 ** 2} MiB of result. ` +
    'SETTINGS clauses, table functions and file() are refused.',
  security: [{ bearer: [] }],
  request: { body: { content: { 'application/json': { schema: sqlRequestSchema } }, required: true } },
  responses: {
    200: { description: 'Columns and rows', content: { 'application/json': { schema: sqlResultSchema } } },
    ...errors,
  },
});

/** Analyst SQL; mount behind `requireToken(store, ['admin'])`. */
export function mountSql(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: { ch: ClickHouse }): void {
  app.use(sqlRoute.path, requireJsonBody);
  app.openapi(sqlRoute, async (c) => {
    const { query, params } = c.req.valid('json');
    const workspaceId = c.get('credential').workspace_id;
    return c.json(await runAnalystSql(deps.ch, { workspaceId, query, params, caps: ANALYST_SQL_CAPS }), 200);
  });
}
