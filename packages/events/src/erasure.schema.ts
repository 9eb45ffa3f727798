import { z } from '@hono/zod-openapi';

/** POST /v1/erasures (CONTRACT §14): erase every conversation with an event from this shopper. */
export const erasureRequestSchema = z
  .object({
    shopper_id: z.string().min(1).max(128).openapi({ description: 'The `shopper_id` the events carried' }),
  })
  .strict()
  .openapi('ErasureRequest');

export const erasureSchema = z
  .object({
    erasure_id: z.string(),
    status: z.enum(['pending', 'done', 'failed']),
    conversations: z.number().int().openapi({ description: 'Conversations erased (0 until done)' }),
    requested_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('Erasure');

export const erasureAcceptedSchema = z
  .object({ erasure_id: z.string(), status: z.literal('pending') })
  .openapi('ErasureAccepted');

/** What an erasure job carries (its queue's job data; removed when the job ends). */
export interface ErasureJob {
  workspaceId: string;
  erasureId: string;
  /** Epoch ms of the request: everything accepted before it is erased. */
  requestedAt: number;
  target: { conversationId: string } | { shopperId: string };
}

export type ErasureRequest = z.infer<typeof erasureRequestSchema>;
export type Erasure = z.infer<typeof erasureSchema>;
