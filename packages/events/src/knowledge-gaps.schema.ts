import { z } from '@hono/zod-openapi';
import { overviewQuerySchema } from './overview.schema.ts';
import { segmentQuerySchema } from './segment.schema.ts';

/**
 * The window and segment a gap is looked up in: the list's query, and the optional query of
 * marking a gap answered (the dashboard sends the window it shows).
 */
export const knowledgeGapWindowSchema = overviewQuerySchema.extend(segmentQuerySchema.shape);

/** Query of `GET /v1/recommendations/knowledge-gaps`: the overview's window, a segment and `answered`. */
export const knowledgeGapsQuerySchema = knowledgeGapWindowSchema.extend({
  answered: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: '`true`: only gaps marked answered; `false`: only the others; absent: all' }),
});

/** Path of `POST|DELETE /v1/recommendations/knowledge-gaps/{id}/answered`. */
export const knowledgeGapParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{16}$/, 'a gap id: 16 hex digits')
    .openapi({ param: { name: 'id', in: 'path' }, example: '3f2a9c0d41b7e865' }),
});

/** Body of `POST /v1/recommendations/knowledge-gaps/{id}/answered` (CONTRACT §13). */
export const gapAnsweredBodySchema = z
  .object({
    at: z.number().int().min(0).optional().openapi({
      description: 'When it was answered, epoch ms; default now; at most 5 minutes ahead',
      example: 1764547200000,
    }),
    source_id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: 'The source (CONTRACT §11) that now covers the question' }),
  })
  .openapi('GapAnsweredBody');

const answerRateSchema = z.object({
  answers: z.number().int().openapi({ description: "Assistant answers to the gap's questions on this side of `at`" }),
  thumbs_down: z.number().int().openapi({ description: 'Of those, answers whose current thumb is down' }),
  rate: z.number().nullable().openapi({ description: 'thumbs_down / answers (0–1); null without answers' }),
  low: z.number().openapi({ description: 'Lower bound of the 95 % Wilson interval of the rate' }),
  high: z.number().openapi({ description: 'Upper bound of the 95 % Wilson interval of the rate' }),
});

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
        daily: z.array(z.number().int()).openapi({
          description:
            'Thumbs-down per local day of the window, `from` to `to` (the trend); all 0 for an answered gap ' +
            'listed from its answers alone',
        }),
        answered: z
          .object({
            at: z.string().openapi({ description: 'When it was answered, RFC 3339 UTC' }),
            source_id: z.string().nullable(),
            before: answerRateSchema.openapi({ description: 'Answers in the window before `at`' }),
            after: answerRateSchema.openapi({ description: 'Answers in the window from `at` on' }),
            verdict: z.enum(['fixed', 'not_fixed', 'unclear']).openapi({
              description:
                "`fixed` when after's `high` is below before's `low`; `not_fixed` when after's `low` is at or " +
                "above before's `low`; otherwise `unclear` (also when either side has no answers)",
            }),
            returned: z.boolean().openapi({
              description:
                'The gap came back: after `at` its questions again got at least 2 thumbs-down in at least 2 ' +
                'conversations, and the verdict is not `fixed`',
            }),
          })
          .nullable()
          .openapi({ description: 'Set once the gap is marked answered (CONTRACT §13); null otherwise' }),
      }),
    ),
  })
  .openapi('KnowledgeGaps');

export type KnowledgeGaps = z.infer<typeof knowledgeGapsSchema>;

/** One knowledge gap: the answer of marking it answered. */
export const knowledgeGapSchema = knowledgeGapsSchema.shape.items.element.openapi('KnowledgeGap');
export type KnowledgeGapItem = z.infer<typeof knowledgeGapSchema>;
