// Conversation satisfaction as text and as a small badge.
import type { Satisfaction } from '@thumbline/events';

export const SATISFACTION_LABEL: Record<Satisfaction, string> = {
  positive: 'Positive',
  neutral: 'Neutral',
  negative: 'Negative',
  unknown: 'Unknown',
};

export function SatisfactionBadge({ value, score }: { value: Satisfaction; score?: number | null }) {
  return (
    <span class={`sat-badge sat-${value}`} title={score == null ? 'Not rated' : `Customer satisfaction ${score} of 5`}>
      {SATISFACTION_LABEL[value]}
    </span>
  );
}
