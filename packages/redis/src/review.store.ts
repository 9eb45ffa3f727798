import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';
import { runRedisLua } from './scripts.ts';

/** A conversation's review as stored: outcome '' when cleared (or never set at version 0). */
export interface StoredReview {
  version: number;
  outcome: string;
  note: string;
  reviewer: string;
  /** RFC 3339 UTC */
  at: string;
}

/** No review yet. */
export const NO_REVIEW: StoredReview = { version: 0, outcome: '', note: '', reviewer: '', at: '' };

/** How long a review stays in Redis after its last change; ClickHouse holds it from then on. */
export const REVIEW_KEY_TTL_S = 7 * 86_400;

export interface ReviewChange {
  /** The current review as ClickHouse holds it: used when Redis has none (expired or lost). */
  seed: StoredReview;
  /** Required current version; undefined: any. */
  expected?: number | undefined;
  /** '' clears the review. */
  outcome: string;
  note: string;
  reviewer: string;
  at: string;
}

export type ReviewChangeResult =
  { status: 'ok'; review: StoredReview } | { status: 'conflict' | 'unchanged'; review: StoredReview };

/**
 * Sets or clears a review with a compare-and-set on its version (set-review.lua): of two
 * concurrent changes based on the same version, exactly one is accepted. The caller must
 * then store the accepted change durably, or undo it with `forgetReviewChange`.
 */
export async function changeReview(
  redis: RedisClient,
  keys: Keys,
  workspaceId: string,
  conversationId: string,
  change: ReviewChange,
): Promise<ReviewChangeResult> {
  const s = change.seed;
  const [status, v, outcome, note, reviewer, at] = await runRedisLua<[string, number, string, string, string, string]>(
    redis,
    'set-review',
    [keys.review(workspaceId, conversationId)],
    [
      s.version,
      s.outcome,
      s.note,
      s.reviewer,
      s.at,
      change.expected ?? '',
      change.outcome,
      change.note,
      change.reviewer,
      change.at,
      REVIEW_KEY_TTL_S,
    ],
  );
  const review = { version: Number(v), outcome, note, reviewer, at };
  if (status === 'ok' || status === 'conflict' || status === 'unchanged') return { status, review };
  throw new Error(`set-review: unexpected status ${status}`);
}

/** Undoes the change at `version` if it is still the current one (it could not be stored durably). */
export async function forgetReviewChange(
  redis: RedisClient,
  keys: Keys,
  workspaceId: string,
  conversationId: string,
  version: number,
): Promise<void> {
  await runRedisLua(redis, 'forget-review', [keys.review(workspaceId, conversationId)], [version]);
}
