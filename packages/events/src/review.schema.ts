import { z } from '@hono/zod-openapi';

/** What a reviewer decided a conversation's problem was (the product article's weekly loop, CONTRACT §12). */
export const REVIEW_OUTCOMES = ['didnt_know', 'answered_weirdly', 'should_have_handed_over', 'no_issue'] as const;

export const reviewOutcomeSchema = z.enum(REVIEW_OUTCOMES).openapi({
  description:
    'didnt_know: the assistant lacked the knowledge; answered_weirdly: it knew but answered badly; ' +
    'should_have_handed_over: a human should have taken over; no_issue: nothing to fix',
});

/** Most characters of a review note. */
export const MAX_REVIEW_NOTE = 2000;

/** `PUT /v1/conversations/{conversation_id}/review` body. */
export const reviewBodySchema = z
  .object({
    outcome: reviewOutcomeSchema,
    note: z.string().max(MAX_REVIEW_NOTE).optional(),
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({
      description: 'The review version this change is based on (0: none yet); when it is not the current one: 409',
    }),
  })
  .strict()
  .openapi('ReviewBody');

export const reviewSchema = z
  .object({
    conversation_id: z.string(),
    outcome: reviewOutcomeSchema,
    note: z.string().nullable(),
    reviewed_at: z.string().openapi({ description: 'RFC 3339 UTC time of the change' }),
    reviewer: z.string().openapi({ description: 'Key id of the dashboard token that made the change' }),
    version: z.number().int().openapi({ description: 'Grows by 1 with every accepted change (a clear included)' }),
  })
  .openapi('Review');

/** `409 version_conflict`: the error with the review as it is now (null: none, cleared at `version`). */
export const reviewConflictSchema = z
  .object({
    error: z.object({ code: z.literal('version_conflict'), message: z.string() }),
    review: reviewSchema.nullable().openapi({ description: 'The current review; null when there is none' }),
    version: z.number().int().openapi({ description: 'The current version: send it to overwrite' }),
  })
  .openapi('ReviewConflict');

/** The `review` event of the `/live` namespace: a review set or cleared in the workspace. */
export const liveReviewSchema = z
  .object({
    conversation_id: z.string(),
    review: reviewSchema.nullable().openapi({ description: 'null: the review was cleared' }),
    version: z.number().int().openapi({
      description: 'The review version after this change (also for a clear): of two events, the greater is newer',
    }),
  })
  .openapi('LiveReview');

const outcomeCounts = z.object(
  Object.fromEntries(REVIEW_OUTCOMES.map((o) => [o, z.number().int()])) as Record<ReviewOutcome, z.ZodNumber>,
);

const triageCounts = {
  downvoted: z.number().int().openapi({ description: 'Conversations started in the window whose CSAT is negative' }),
  reviewed: z.number().int().openapi({ description: 'Of those, how many have a review' }),
  outcomes: outcomeCounts,
};

/** The overview's triage card: the window's downvoted conversations and their reviews. */
export const triageSchema = z
  .object({
    ...triageCounts,
    previous: z.object({ from: z.string(), to: z.string(), ...triageCounts }).openapi({
      description: 'The same counts for the window of the same length just before `from`',
    }),
  })
  .openapi('Triage');

export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];
export type ReviewBody = z.infer<typeof reviewBodySchema>;
export type Review = z.infer<typeof reviewSchema>;
export type ReviewConflict = z.infer<typeof reviewConflictSchema>;
export type LiveReview = z.infer<typeof liveReviewSchema>;
export type Triage = z.infer<typeof triageSchema>;
