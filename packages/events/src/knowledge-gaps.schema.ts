import { z } from '@hono/zod-openapi';
import { overviewQuerySchema } from './overview.schema.ts';
import { segmentQuerySchema } from './segment.schema.ts';

/** Query of `GET /v1/recommendations/knowledge-gaps`: the overview's window and a segment. */
export const knowledgeGapsQuerySchema = overviewQuerySchema.extend(segmentQuerySchema.shape);

/** Body of `GET /v1/recommendations/knowledge-gaps`: groups of similar questions, most thumbs-down first. */
export const knowledgeGapsSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string().openapi({
          description: "Hash of the group's question key: stable while new rewordings join the group",
        }),
        question: z.string().openapi({ description: 'The most frequent wording', example: 'Do you ship to Canada?' }),
        examples: z.array(z.string()).openapi({ description: 'Up to 5 distinct wordings, most frequent first' }),
        thumbs_down: z.number().int(),
        conversations: z.number().int(),
        last_seen: z
          .string()
          .openapi({ description: 'Latest thumb-down, RFC 3339 UTC', example: '2026-11-24T10:15:00.000Z' }),
      }),
    ),
  })
  .openapi('KnowledgeGaps');

export type KnowledgeGaps = z.infer<typeof knowledgeGapsSchema>;
