import { z } from '@hono/zod-openapi';
import { satisfactionSchema } from './conversation.schema.ts';

/** Signed change of one 15-minute UTC bucket (CONTRACT §5). */
export const bucketDeltaSchema = z.object({
  start: z.string().openapi({ description: 'RFC 3339 UTC start of the bucket' }),
  thumbs_up: z.number().int(),
  thumbs_down: z.number().int(),
  csat_sum: z.number().int(),
  csat_count: z.number().int(),
});

/** The new summary of a conversation a delta changed. */
export const conversationChangeSchema = z.object({
  conversation_id: z.string(),
  started_at: z.string(),
  satisfaction: satisfactionSchema,
  score: z.number().int().nullable(),
  negative_reason: z.string().nullable(),
  thumbs_up: z.number().int(),
  thumbs_down: z.number().int(),
});

/** The `delta` event of the `/live` namespace. */
export const liveDeltaSchema = z
  .object({
    seq: z.number().int(),
    buckets: z.array(bucketDeltaSchema),
    conversations: z.array(conversationChangeSchema),
  })
  .openapi('LiveDelta');

export type BucketDelta = z.infer<typeof bucketDeltaSchema>;
export type ConversationChange = z.infer<typeof conversationChangeSchema>;
export type LiveDelta = z.infer<typeof liveDeltaSchema>;
