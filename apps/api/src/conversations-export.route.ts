import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { conversationPage, type ClickHouse, type ConversationSummaryRow } from '@thumbline/clickhouse';
import type { Logger } from '@thumbline/core';
import { addDays, conversationsExportQuerySchema } from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import { committedWatermark, type CredentialStore, type Keys, type RedisClient } from '@thumbline/redis';
import { exportHead, exportRow, type ExportFormat } from './conversation-export.ts';
import { inboxSearch, rfc3339, summary } from './conversations.route.ts';
import { resolveWindow } from './query-window.ts';
import { errorResponse } from '@thumbline/http';

export interface ConversationsExportDeps {
  ch: ClickHouse;
  store: CredentialStore;
  redis: RedisClient;
  keys: Keys;
  log: Logger;
}

/** Conversations per ClickHouse page: one page is all the export holds in memory at a time. */
export const EXPORT_PAGE = 1000;

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

const exportRoute = createRoute({
  method: 'get',
  path: '/v1/conversations/export',
  summary: 'Every conversation matching the inbox filters, newest first, as CSV or NDJSON (streamed)',
  description:
    'CSV follows RFC 4180 (header row, CRLF line ends, every value quoted with quotes doubled; null is an empty ' +
    "field). A text value gets a `'` wherever a spreadsheet splitting on `,` or `;` could start a cell that runs as " +
    'a formula: at its start and after each `,`, `;`, tab or line break in it, when what follows starts with a tab or ' +
    'CR, or (past whitespace, zero-width characters and quotes) with `=`, `+`, `-`, `@` or their full-width forms. ' +
    'NDJSON has the same fields, unaltered, null where CSV is empty. Every page reads one snapshot (the ' +
    'conversations as stored when the export started).',
  security: [{ bearer: [] }],
  request: { query: conversationsExportQuerySchema },
  responses: {
    200: {
      description: 'The conversations',
      content: {
        'text/csv': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
      },
    },
    400: errorResponse('invalid_query, invalid_tz, range_too_large'),
    401: errorResponse('unauthorized'),
  },
});

/**
 * `GET /v1/conversations/export`: the inbox's keyset pages (same snapshot for all of them),
 * read one at a time as the client takes the body. The body is pulled, so a slow client
 * holds back the next ClickHouse page instead of filling memory; memory stays one page
 * whatever the number of conversations. The first page is read before answering, so a bad
 * query or a dependency down still gets its status code.
 */
export function mountConversationsExport(
  app: OpenAPIHono<{ Variables: AuthVariables }>,
  deps: ConversationsExportDeps,
): void {
  app.openapi(exportRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const snapshot = await committedWatermark(deps.redis, deps.keys);
    const words = await inboxSearch(deps.ch, q);
    const page = (after?: ConversationSummaryRow) =>
      conversationPage(deps.ch, {
        workspaceId: ws,
        from,
        until: addDays(to, 1),
        tz,
        feedback: q.feedback,
        segment: { widget_id: q.widget_id, locale: q.locale },
        review: q.review,
        words,
        limit: EXPORT_PAGE,
        snapshot,
        after: after && { startedAt: Date.parse(rfc3339(after.started_at)), conversationId: after.conversation_id },
      });
    const pages = pagesFrom(await page(), page);
    const encoder = new TextEncoder();
    let head: string | null = exportHead(q.format);
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const next = await pages.next();
            let text = head ?? '';
            head = null;
            if (!next.done) for (const r of next.value) text += exportRow(q.format, summary(r));
            if (text) controller.enqueue(encoder.encode(text));
            if (next.done) controller.close();
          } catch (err) {
            // The status is sent: all that is left is to cut the body short.
            deps.log.error({ err, workspace: ws }, 'conversation export failed mid-stream');
            controller.error(err);
          }
        },
        async cancel() {
          await pages.return(undefined);
        },
      },
      { highWaterMark: 0 },
    );
    const name = `conversations-${from}-${to}.${q.format}`;
    return c.body(body, 200, {
      'Content-Type': CONTENT_TYPE[q.format],
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
    });
  });
}

/** Pages until one comes back short (keyset: each continues after the last row of the one before). */
async function* pagesFrom(
  first: ConversationSummaryRow[],
  next: (after: ConversationSummaryRow) => Promise<ConversationSummaryRow[]>,
): AsyncGenerator<ConversationSummaryRow[], void, undefined> {
  let rows = first;
  for (;;) {
    if (rows.length > 0) yield rows;
    const last = rows[rows.length - 1];
    if (rows.length < EXPORT_PAGE || !last) return;
    rows = await next(last);
  }
}
