import { z } from '@hono/zod-openapi';
import { dateRangeQuery } from './date-range.schema.ts';
import { segmentQuery } from './overview.schema.ts';

/** `GET /v1/conversations` query. Without from/to: the 30 days up to today in `tz`. */
export const conversationsQuerySchema = z.object({
  feedback: z
    .enum(['upvote', 'downvote', 'unknown'])
    .optional()
    .openapi({ description: 'upvote: positive CSAT, downvote: negative, unknown: no CSAT; absent: all' }),
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

export const conversationListSchema = z
  .object({ items: z.array(conversationSummarySchema), next_cursor: z.string().nullable() })
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

export const conversationDetailSchema = conversationSummarySchema
  .extend({ messages: z.array(messageSchema) })
  .openapi('ConversationDetail');

export type ConversationsQuery = z.infer<typeof conversationsQuerySchema>;
export type ConversationsExportQuery = z.infer<typeof conversationsExportQuerySchema>;
export type Satisfaction = z.infer<typeof satisfactionSchema>;
export type ConversationSummary = z.infer<typeof conversationSummarySchema>;
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
