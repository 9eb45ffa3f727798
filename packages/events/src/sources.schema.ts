import { z } from '@hono/zod-openapi';
import { overviewQuerySchema } from './overview.schema.ts';
import { segmentQuerySchema } from './segment.schema.ts';

/** Query of `GET /v1/analytics/sources`: the overview's window and a segment. */
export const sourcesQuerySchema = overviewQuerySchema.extend(segmentQuerySchema.shape);

/** Body of `GET /v1/analytics/sources` (CONTRACT §11). */
export const sourcesSchema = z
  .object({
    items: z.array(
      z
        .object({
          source_id: z.string().openapi({ example: 'kb-shipping' }),
          title: z.string().nullable().openapi({ description: 'From the latest citation; null when it had none' }),
          url: z.string().nullable().openapi({ description: 'From the latest citation; null when it had none' }),
          answers: z
            .number()
            .int()
            .openapi({ description: 'Answers citing it whose current thumb counts in the window' }),
          thumbs_up: z.number().int(),
          thumbs_down: z.number().int(),
          down_pct: z.number().nullable().openapi({ description: 'thumbs_down / (thumbs_up + thumbs_down), in %' }),
        })
        .openapi('SourceRank'),
    ),
  })
  .openapi('Sources');

/** Path of `GET /v1/analytics/sources/{source_id}/answers`. */
export const sourceAnswersParamsSchema = z.object({
  source_id: z.string().min(1).max(128).openapi({ description: 'URL-encoded', example: 'kb-shipping' }),
});

/** Query of `GET /v1/analytics/sources/{source_id}/answers`. */
export const sourceAnswersQuerySchema = sourcesQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Body of `GET /v1/analytics/sources/{source_id}/answers`. */
export const sourceAnswersSchema = z
  .object({
    source_id: z.string(),
    items: z.array(
      z
        .object({
          conversation_id: z.string(),
          message_id: z.string(),
          text: z.string().nullable(),
          thumb: z.enum(['up', 'down']).openapi({ description: "The answer's current thumb" }),
          answered_at: z.string().openapi({ description: "The answer's message.created ts, RFC 3339 UTC" }),
        })
        .openapi('SourceAnswer'),
    ),
  })
  .openapi('SourceAnswers');

export type Sources = z.infer<typeof sourcesSchema>;
export type SourceAnswers = z.infer<typeof sourceAnswersSchema>;
