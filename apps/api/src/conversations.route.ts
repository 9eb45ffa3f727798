import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { AppError } from '@thumbline/core';
import {
  conversationMessages,
  conversationPage,
  conversationSummary,
  firstShopperMessages,
  latestReviews,
  searchWords,
  type ClickHouse,
  type ConversationSummaryRow,
  type ReviewRow,
} from '@thumbline/clickhouse';
import {
  addDays,
  MAX_SEARCH_WORDS,
  PREVIEW_CHARS,
  conversationDetailSchema,
  conversationListSchema,
  conversationsQuerySchema,
  negativeReason,
  satisfaction,
  type ConversationsExportQuery,
  type ConversationSummary,
  type InboxItem,
  type Review,
  type ReviewOutcome,
} from '@thumbline/events';
import type { AuthVariables } from '@thumbline/http';
import { committedWatermark, type CredentialStore, type Keys, type RedisClient } from '@thumbline/redis';
import { resolveWindow } from './query-window.ts';
import { errorResponse, jsonResponse } from '@thumbline/http';

export interface ConversationsDeps {
  ch: ClickHouse;
  store: CredentialStore;
  /** Where the committed watermark is (the first page's snapshot). */
  redis: RedisClient;
  keys: Keys;
}

const listRoute = createRoute({
  method: 'get',
  path: '/v1/conversations',
  summary: 'Conversations started in the range, newest first, filtered by customer feedback',
  security: [{ bearer: [] }],
  request: { query: conversationsQuerySchema },
  responses: {
    200: jsonResponse(conversationListSchema, 'A page of conversations'),
    400: errorResponse('invalid_query (also: `q` with more than 8 words), invalid_cursor, invalid_tz, range_too_large'),
    401: errorResponse('unauthorized'),
  },
});

const detailRoute = createRoute({
  method: 'get',
  path: '/v1/conversations/{conversation_id}',
  summary: 'A conversation with its transcript and per-message feedback',
  security: [{ bearer: [] }],
  request: { params: z.object({ conversation_id: z.string().min(1).max(128) }) },
  responses: {
    200: jsonResponse(conversationDetailSchema, 'Conversation'),
    401: errorResponse('unauthorized'),
    404: errorResponse('not_found'),
  },
});

interface Cursor {
  snapshot: number;
  startedAt: number;
  conversationId: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.snapshot, c.startedAt, c.conversationId])).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  try {
    const [snapshot, startedAt, conversationId] = JSON.parse(
      Buffer.from(raw, 'base64url').toString('utf8'),
    ) as unknown[];
    if (Number.isSafeInteger(snapshot) && Number.isSafeInteger(startedAt) && typeof conversationId === 'string') {
      return { snapshot: snapshot as number, startedAt: startedAt as number, conversationId };
    }
  } catch {
    // fall through
  }
  throw new AppError('invalid_cursor', 400, 'cursor: not a next_cursor this API returned');
}

/** 'YYYY-MM-DD hh:mm:ss.sss' (UTC) → RFC 3339. */
export function rfc3339(utc: string): string {
  return `${utc.replace(' ', 'T')}Z`;
}

/** The API's summary of a conversation row. */
export function summary(r: ConversationSummaryRow): ConversationSummary {
  return {
    conversation_id: r.conversation_id,
    started_at: rfc3339(r.started_at),
    satisfaction: satisfaction(r.score),
    score: r.score,
    negative_reason: negativeReason(r.score, r.negative_reason),
    thumbs_up: r.thumbs_up,
    thumbs_down: r.thumbs_down,
    version: r.version,
    widget_id: r.widget_id || null,
    locale: r.locale || null,
  };
}

/** The API's review from its latest stored change; null when none or cleared. */
export function reviewOf(r: ReviewRow | undefined): Review | null {
  if (!r || r.outcome === '') return null;
  return {
    conversation_id: r.conversation_id,
    outcome: r.outcome as ReviewOutcome,
    note: r.note === '' ? null : r.note,
    reviewed_at: rfc3339(r.reviewed_at),
    reviewer: r.reviewer,
    version: r.version,
  };
}

/** At most `PREVIEW_CHARS` characters (code points, so no surrogate is cut in half), on one line. */
export function previewText(text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= PREVIEW_CHARS ? chars.join('') : `${chars.slice(0, PREVIEW_CHARS - 1).join('')}…`;
}

/** Summaries with their preview (the negative reason, else the first shopper message) and review. */
async function inboxItems(ch: ClickHouse, ws: string, rows: readonly ConversationSummaryRow[]): Promise<InboxItem[]> {
  const ids = rows.map((r) => r.conversation_id);
  const [firsts, reviews] = await Promise.all([firstShopperMessages(ch, ws, ids), latestReviews(ch, ws, ids)]);
  return rows.map((r) => {
    const s = summary(r);
    const text = s.negative_reason ?? firsts.get(r.conversation_id) ?? null;
    return {
      ...s,
      preview: text === null ? null : previewText(text),
      review: reviewOf(reviews.get(r.conversation_id)),
    };
  });
}

/** The search words of `q` (undefined without `q`); more than MAX_SEARCH_WORDS is a 400. */
export async function inboxSearch(
  ch: ClickHouse,
  q: Pick<ConversationsExportQuery, 'q'>,
): Promise<string[] | undefined> {
  if (q.q === undefined) return undefined;
  const words = await searchWords(ch, q.q);
  if (words.length > MAX_SEARCH_WORDS) {
    throw new AppError('invalid_query', 400, `q: at most ${MAX_SEARCH_WORDS} words`);
  }
  return words;
}

/** The conversations inbox (`GET /v1/conversations` in the OpenAPI document). */
export function mountConversations(app: OpenAPIHono<{ Variables: AuthVariables }>, deps: ConversationsDeps): void {
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const ws = c.get('credential').workspace_id;
    const { from, to, tz } = await resolveWindow(deps, ws, q);
    const cursor = q.cursor ? decodeCursor(q.cursor) : null;
    // Pages read one snapshot: the versions stored when the first page was asked for (the
    // committed watermark: every version stamped at or before it is in ClickHouse), so a
    // later page never sees one the first could not have, and nothing counted is missing.
    const snapshot = cursor?.snapshot ?? (await committedWatermark(deps.redis, deps.keys));
    const rows = await conversationPage(deps.ch, {
      workspaceId: ws,
      from,
      until: addDays(to, 1),
      tz,
      feedback: q.feedback,
      segment: { widget_id: q.widget_id, locale: q.locale },
      review: q.review,
      words: await inboxSearch(deps.ch, q),
      limit: q.limit + 1,
      snapshot,
      after: cursor ?? undefined,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    const next =
      rows.length > q.limit && last
        ? encodeCursor({
            snapshot,
            startedAt: Date.parse(rfc3339(last.started_at)),
            conversationId: last.conversation_id,
          })
        : null;
    return c.json({ items: await inboxItems(deps.ch, ws, page), next_cursor: next }, 200);
  });

  app.openapi(detailRoute, async (c) => {
    const ws = c.get('credential').workspace_id;
    const { conversation_id } = c.req.valid('param');
    const found = await conversationSummary(deps.ch, ws, conversation_id);
    if (!found) throw new AppError('not_found', 404, `conversation ${conversation_id} not found`);
    const [messages, [item]] = await Promise.all([
      conversationMessages(deps.ch, ws, conversation_id),
      inboxItems(deps.ch, ws, [found]),
    ]);
    return c.json(
      {
        ...(item as InboxItem),
        messages: messages.map((m) => ({
          message_id: m.message_id,
          role: m.role as 'shopper' | 'assistant' | 'agent' | null,
          text: m.text,
          ts: rfc3339(m.at),
          feedback: m.thumb === 'up' || m.thumb === 'down' ? (m.thumb as 'up' | 'down') : null,
        })),
      },
      200,
    );
  });
}
