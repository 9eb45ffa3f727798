// Review outcomes as the dashboard names them, and the inbox's review filter.
import type { ReviewOutcome } from '@thumbline/events';

/** The contract's outcomes, in its order (packages/events keeps zod out of the browser bundle). */
export const OUTCOMES: readonly ReviewOutcome[] = [
  'didnt_know',
  'answered_weirdly',
  'should_have_handed_over',
  'no_issue',
];

export const OUTCOME_LABELS: Record<ReviewOutcome, string> = {
  didnt_know: "Didn't know",
  answered_weirdly: 'Answered weirdly',
  should_have_handed_over: 'Should have handed over',
  no_issue: 'No issue',
};

export type ReviewFilter = 'all' | 'unreviewed' | ReviewOutcome;

export const REVIEW_FILTERS: { value: ReviewFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'unreviewed', label: 'Not reviewed' },
  ...OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABELS[o] })),
];

/** Whether a conversation with this review (null: none) passes the filter. */
export function matchesReview(outcome: ReviewOutcome | null, filter: ReviewFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'unreviewed') return outcome === null;
  return outcome === filter;
}
