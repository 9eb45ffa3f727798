import { z } from '@hono/zod-openapi';
import { dateRangeQuery } from './date-range.schema.ts';
import { segmentQuery } from './overview.schema.ts';
import { REVIEW_OUTCOMES, reviewSchema } from './review.schema.ts';

/** Most words `q` may have, and its length. */
export const MAX_SEARCH_WORDS = 8;
export const MAX_SEARCH_CHARS = 200;
/** Characters of an inbox preview. */
export const PREVIEW_CHARS = 140;

/** `GET /v1/conversations` query. Without from/to: the 30 days up to today in `tz`. */
export const conversationsQuerySchema = z.object({
  feedback: z
    .enum(['upvote', 'downvote', 'unknown'])
    .optional()
    .openapi({ description: 'upvote: positive CSAT, downvote: negative, unknown: no CSAT; absent: all' }),
  review: z
    .enum(['unreviewed', ...REVIEW_OUTCOMES])
    .optional()
    .openapi({ description: 'unreviewed: no review; an outcome: reviewed with it; absent: all' }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(MAX_SEARCH_CHARS)
    .optional()
    .openapi({
      description:
        `Full-text search over the conversation's messages and negative reason: every word (at most ${MAX_SEARCH_WORDS}) ` +
        'must occur in one of them, matched whole, case- and accent-insensitively',
    }),
  ...dateRangeQuery,
  ...segmentQuery,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional().openapi({ description: '`next_cursor` of the previous page' }),
});

/** `GET /v1/conversations/export` query: the inbox's filters, every page, as CSV or NDJSON. */
export const conversationsExportQuerySchema = conversationsQuerySchema.omit({ limit: true, cursor: true }).extend({
  format: z
    .enum(['csv', 'ndjson'])
    .default('csv')
    .openapi({ description: 'csv (RFC 4180, header row) or ndjson (one JSON object per line)' }),
});

export const satisfactionSchema = z.enum(['positive', 'neutral', 'negative', 'unknown']);

export const conversationSummarySchema = z
  .object({
    conversation_id: z.string(),
    started_at: z.string().openapi({ description: 'RFC 3339 UTC; the earliest ts seen' }),
    satisfaction: satisfactionSchema,
    score: z.number().int().nullable(),
    negative_reason: z.string().nullable(),
    thumbs_up: z.number().int(),
    thumbs_down: z.number().int(),
    version: z.number().int().openapi({
      description: 'Grows with every change of the conversation: of two summaries, the greater version is newer',
    }),
    widget_id: z.string().nullable().openapi({ description: 'Of its earliest event naming one; null when none did' }),
    locale: z.string().nullable().openapi({ description: 'Of its earliest event naming one; null when none did' }),
  })
  .openapi('ConversationSummary');

/** An inbox row: the summary with its preview and review (CONTRACT §12). */
export const inboxItemSchema = conversationSummarySchema
  .extend({
    preview: z
      .string()
      .nullable()
      .openapi({
        description: `The negative reason when there is one, else the shopper's first message; at most ${PREVIEW_CHARS} characters`,
      }),
    review: reviewSchema.nullable(),
  })
  .openapi('InboxItem');

export const conversationListSchema = z
  .object({ items: z.array(inboxItemSchema), next_cursor: z.string().nullable() })
  .openapi('ConversationList');

export const messageSchema = z
  .object({
    message_id: z.string(),
    role: z.enum(['shopper', 'assistant', 'agent']).nullable(),
    text: z.string().nullable(),
    ts: z.string(),
    feedback: z.enum(['up', 'down']).nullable(),
  })
  .openapi('Message');

export const conversationDetailSchema = inboxItemSchema
  .extend({ messages: z.array(messageSchema) })
  .openapi('ConversationDetail');

export type ConversationsQuery = z.infer<typeof conversationsQuerySchema>;
export type ConversationsExportQuery = z.infer<typeof conversationsExportQuerySchema>;
export type Satisfaction = z.infer<typeof satisfactionSchema>;
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;
export type InboxItem = z.infer<typeof inboxItemSchema>;
export type ConversationDetail = z.infer<typeof conversationDetailSchema>;

/** The reason shown for a rating: the rating's reason when it is negative (score ≤ 2), else null. */
export function negativeReason(score: number | null, reason: string | null): string | null {
  return score !== null && score <= 2 && reason ? reason : null;
}

/** Satisfaction (README, API reference): positive for score ≥ 4, neutral for 3, negative for ≤ 2, unknown unrated. */
export function satisfaction(score: number | null): Satisfaction {
  if (score === null) return 'unknown';
  if (score >= 4) return 'positive';
  if (score === 3) return 'neutral';
  return 'negative';
}
