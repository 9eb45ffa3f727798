import { z } from '@hono/zod-openapi';
import { conversationSummarySchema } from './conversation.schema.ts';

/** Signed change of one 15-minute UTC bucket (docs/adr/0006-live-deltas.md). */
export const bucketDeltaSchema = z.object({
  start: z.string().openapi({ description: 'RFC 3339 UTC start of the bucket' }),
  thumbs_up: z.number().int(),
  thumbs_down: z.number().int(),
  csat_sum: z.number().int(),
  csat_count: z.number().int(),
});

/**
 * The new summary of a conversation a delta changed: the inbox's summary, with its version
 * (deltas of one conversation may arrive out of order; the greatest version is current).
 */
export const conversationChangeSchema = conversationSummarySchema;

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
