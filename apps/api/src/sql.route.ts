import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { ANALYST_SQL_CAPS, runAnalystSql, type AnalystSqlResult, type ClickHouse } from '@thumbline/clickhouse';
import { sqlRequestSchema, sqlResultSchema } from '@thumbline/events';
import { AppError } from '@thumbline/core';
import { type AuthVariables, jsonResponse, requireJsonBody, errorResponse } from '@thumbline/http';
import { AnalystGate } from './analyst-gate.ts';

const errors = {
  400: errorResponse('invalid_json, invalid_body, read_only, query_limit_exceeded, query_failed'),
  401: errorResponse('unauthorized'),
  415: errorResponse('unsupported_media_type'),
  429: errorResponse(
    'rate_limited: this workspace (or the server) already runs as many analyst queries as it allows; see Retry-After',
  ),
};

export const sqlRoute = createRoute({
  method: 'post',
  path: '/v1/sql',
  summary: 'Run one read-only SELECT (admin token)',
  description:
    `Exactly one SELECT runs, read-only, with caps the request cannot lift: ${ANALYST_SQL_CAPS.max_execution_time} s, ` +
    `${ANALYST_SQL_CAPS.max_memory_usage / 1024 ** 3} GiB of memory, ${ANALYST_SQL_CAPS.max_rows_to_read} rows read, ` +
    `${ANALYST_SQL_CAPS.max_result_rows} result rows, ${ANALYST_SQL_CAPS.max_result_bytes / 1024 ** 2} MiB of result, ` +
    `${ANALYST_SQL_CAPS.max_response_bytes / 1024 ** 2} MiB of response, ${ANALYST_SQL_CAPS.max_threads} thread. ` +
    'Only the documented analyst tables can be read, wherever the query names them; SETTINGS clauses, ' +
    'table functions, system tables, views, dictionaries and dictGet/joinGet/file() are refused (400 read_only).',
  security: [{ bearer: [] }],
  request: { body: { content: { 'application/json': { schema: sqlRequestSchema } }, required: true } },
  responses: {
    200: jsonResponse(sqlResultSchema, 'Columns and rows'),
    ...errors,
  },
});

/** Analyst SQL; mount behind `requireToken(store, ['admin'])`. */
export function mountSql(
  app: OpenAPIHono<{ Variables: AuthVariables }>,
  deps: { ch: ClickHouse; analystGate?: AnalystGate },
): void {
  const gate = deps.analystGate ?? new AnalystGate();
  app.use(sqlRoute.path, requireJsonBody);
  // Documented from the route, served by a plain handler: the typed handler only returns JSON
  // built in one piece, and this response is streamed.
  app.openAPIRegistry.registerPath(sqlRoute);
  app.post(sqlRoute.path, async (c) => {
    const body = sqlRequestSchema.safeParse(await c.req.json());
    if (!body.success) {
      const issue = body.error.issues[0];
      throw new AppError('invalid_body', 400, `${issue?.path.join('.') || 'json'}: ${issue?.message ?? 'invalid'}`);
    }
    const { query, params } = body.data;
    const workspaceId = c.get('credential').workspace_id;
    const leave = gate.enter(workspaceId);
    let result: AnalystSqlResult;
    try {
      result = await runAnalystSql(deps.ch, { workspaceId, query, params, caps: ANALYST_SQL_CAPS });
    } finally {
      leave();
    }
    // The response is bounded before it is built (ClickHouse's output past max_response_bytes is
    // a 400) and then streamed in slices of rows: no second copy of the whole result as one string.
    return new Response(resultStream(result), {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  });
}

/** Rows per chunk of a streamed result. */
const ROWS_PER_CHUNK = 1000;

/** The result as `sqlResultSchema` JSON, encoded a slice of rows at a time as the client reads. */
export function resultStream(result: AnalystSqlResult): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next === 0) controller.enqueue(encoder.encode(`{"columns":${JSON.stringify(result.columns)},"rows":[`));
      const slice = result.rows.slice(next, next + ROWS_PER_CHUNK);
      if (slice.length > 0) {
        const rows = slice.map((r) => JSON.stringify(r)).join(',');
        controller.enqueue(encoder.encode(next === 0 ? rows : `,${rows}`));
        next += slice.length;
        return;
      }
      controller.enqueue(encoder.encode(`],"rows_read":${result.rows_read},"elapsed_ms":${result.elapsed_ms}}`));
      controller.close();
    },
  });
}
