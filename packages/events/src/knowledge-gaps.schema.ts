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
        sources: z
          .array(
            z.object({
              source_id: z.string(),
              title: z.string().nullable(),
              url: z.string().nullable(),
              thumbs_down: z.number().int().openapi({ description: "The group's thumbed-down answers citing it" }),
            }),
          )
          .openapi({
            description:
              "Sources cited by the group's thumbed-down answers (each answer's latest `message.created`), most " +
              'thumbs-down first, at most 10; title and url from the latest citing answer',
          }),
      }),
    ),
  })
  .openapi('KnowledgeGaps');

export type KnowledgeGaps = z.infer<typeof knowledgeGapsSchema>;
