// A knowledge gap marked answered (CONTRACT §13), as one line of the Answered section: question,
// verdict and the thumbs-down rate before → after; it opens to both rates with their 95 %
// intervals, the source that covers it, and Unmark.
import { useState } from 'preact/hooks';
import type { KnowledgeGapItem } from '@thumbline/events';
import { errorMessage } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime, formatPct } from '../format.ts';
import { ErrorNote } from './card.tsx';
import { rateText, VERDICT_LABEL } from './knowledge-gap-row.tsx';

interface Props {
  gap: KnowledgeGapItem & { answered: NonNullable<KnowledgeGapItem['answered']> };
  tz: string;
  onChanged: () => void;
}

const pct = (x: number | null) => formatPct(x === null ? null : x * 100);

export function AnsweredGapRow({ gap, tz, onChanged }: Props) {
  const { api } = useServices();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const { answered } = gap;
  const unmark = async () => {
    try {
      await api.delete(`/v1/recommendations/knowledge-gaps/${gap.id}/answered`);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return (
    <li class="gap-row" data-testid="answered-gap" data-gap-id={gap.id}>
      <button type="button" class="gap-line" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="gap-question">{gap.question}</span>
        <span class={`verdict ${answered.verdict}`} data-testid="gap-verdict">
          {VERDICT_LABEL[answered.verdict]}
        </span>
        <span class="gap-rates" data-testid="gap-rates" title="Share of answers thumbed down, before → after">
          {pct(answered.before.rate)} → {pct(answered.after.rate)}
        </span>
      </button>
      {open && (
        <div class="gap-detail">
          <div class="gap-meta">
            Answered {formatDateTime(answered.at, tz)}
            {answered.source_id && ` · now covered by ${answered.source_id}`}
          </div>
          <dl class="gap-before-after" data-testid="gap-before-after">
            <dt>Before</dt>
            <dd>{rateText(answered.before)}</dd>
            <dt>After</dt>
            <dd>{rateText(answered.after)}</dd>
          </dl>
          <p class="muted">
            Thumbed-down share of the assistant's answers to these questions in the period, with its 95 % interval.
            Fixed once the interval after lies below the one before.
          </p>
          <button type="button" class="button secondary" onClick={unmark} data-testid="gap-unmark">
            Unmark
          </button>
          {error && <ErrorNote>{error}</ErrorNote>}
        </div>
      )}
    </li>
  );
}
