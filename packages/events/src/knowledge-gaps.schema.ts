import { z } from '@hono/zod-openapi';

/** Body of `GET /v1/recommendations/knowledge-gaps`: groups of similar questions, most thumbs-down first. */
export const knowledgeGapsSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string().openapi({ description: 'Stable while the group keeps the same key question' }),
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
