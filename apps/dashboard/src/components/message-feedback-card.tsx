// Thumbs up / down totals of the window with their share and the change vs the previous window.
import type { Overview } from '@thumbline/events';
import { formatPct, formatShortDay, periodChange, VS_PREVIOUS_PERIOD } from '../format.ts';
import { ThumbDownIcon, ThumbUpIcon } from './icons.tsx';

type Thumbs = Overview['thumbs'];

interface TallyProps {
  kind: 'up' | 'down';
  count: number;
  pct: number | null;
  previous: number;
  previousLabel: string;
}

function Tally({ kind, count, pct, previous, previousLabel }: TallyProps) {
  const change = periodChange(count, previous);
  // More thumbs up is good news; more thumbs down is not.
  const rising = change.direction === 'up' || change.direction === 'new';
  const falling = change.direction === 'down';
  const tone = rising ? (kind === 'up' ? 'good' : 'bad') : falling ? (kind === 'up' ? 'bad' : 'good') : 'flat';
  return (
    <div class={`tally tally-${kind}`}>
      <div class="tally-label">
        {kind === 'up' ? <ThumbUpIcon size={16} /> : <ThumbDownIcon size={16} />}
        {kind === 'up' ? 'Thumbs up' : 'Thumbs down'}
      </div>
      <div class="tally-numbers">
        <span class="tally-count" data-testid={kind === 'up' ? 'thumbs-up-count' : 'thumbs-down-count'}>
          {String(count)}
        </span>
        <span class="tally-pct" data-testid={kind === 'up' ? 'thumbs-up-pct' : 'thumbs-down-pct'}>
          {formatPct(pct)}
        </span>
      </div>
      <span
        class={`change-badge ${tone}`}
        data-testid={kind === 'up' ? 'thumbs-up-change' : 'thumbs-down-change'}
        title={`Previous period (${previousLabel}): ${previous.toLocaleString()}`}
      >
        <span class="change-value">{change.value}</span> {VS_PREVIOUS_PERIOD}
      </span>
    </div>
  );
}

export function MessageFeedbackCard({ thumbs }: { thumbs: Thumbs }) {
  const p = thumbs.previous;
  const previousLabel =
    p.from === p.to ? formatShortDay(p.from) : `${formatShortDay(p.from)} – ${formatShortDay(p.to)}`;
  const total = thumbs.up + thumbs.down;
  return (
    <div class="tallies">
      <Tally kind="up" count={thumbs.up} pct={thumbs.up_pct} previous={p.up} previousLabel={previousLabel} />
      <Tally kind="down" count={thumbs.down} pct={thumbs.down_pct} previous={p.down} previousLabel={previousLabel} />
      <div class="share-bar" aria-hidden="true">
        {total > 0 ? (
          <>
            <span class="share-up" style={{ width: `${(thumbs.up / total) * 100}%` }} />
            <span class="share-down" style={{ width: `${(thumbs.down / total) * 100}%` }} />
          </>
        ) : (
          <span class="share-none" />
        )}
      </div>
    </div>
  );
}
