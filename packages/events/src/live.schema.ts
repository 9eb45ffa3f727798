import { z } from '@hono/zod-openapi';
import { conversationSummarySchema } from './conversation.schema.ts';

const signedSums = {
  thumbs_up: z.number().int(),
  thumbs_down: z.number().int(),
  csat_sum: z.number().int(),
  csat_count: z.number().int(),
  prompted: z.number().int().openapi({ description: 'Change of first rating prompts' }),
  responded: z.number().int().openapi({ description: 'Change of first prompts whose conversation has a CSAT' }),
};

/** The part of a bucket's change counted in one segment. */
export const segmentDeltaSchema = z
  .object({
    widget_id: z.string().nullable().openapi({ description: 'null: events naming no widget' }),
    locale: z.string().nullable().openapi({ description: 'Lowercased; null: events naming no locale' }),
    ...signedSums,
  })
  .openapi('SegmentDelta');

/** Signed change of one 15-minute UTC bucket (docs/adr/0006-live-deltas.md). */
export const bucketDeltaSchema = z.object({
  start: z.string().openapi({ description: 'RFC 3339 UTC start of the bucket' }),
  ...signedSums,
  segments: z.array(segmentDeltaSchema).openapi({
    description:
      'The same change split by the segment each row counts in (they sum to the totals above): ' +
      'a dashboard filtered to a segment applies the entries that match it',
  }),
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
export type SegmentDelta = z.infer<typeof segmentDeltaSchema>;
export type ConversationChange = z.infer<typeof conversationChangeSchema>;
export type LiveDelta = z.infer<typeof liveDeltaSchema>;

/**
 * The `closed` event of the `/live` namespace: sent just before the server closes a socket that
 * was connected, so the client can tell a revoked token from a network drop (it must not reconnect).
 */
export const liveClosedSchema = z
  .object({
    reason: z.enum(['token_revoked']).openapi({ description: 'token_revoked: the dashboard token was revoked' }),
  })
  .openapi('LiveClosed');

export type LiveClosed = z.infer<typeof liveClosedSchema>;
export type LiveCloseReason = LiveClosed['reason'];
