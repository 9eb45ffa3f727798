// The overview's triage card: the window's downvoted conversations, how many were reviewed, and
// what the reviews found, each against the previous period (the product article's weekly loop).
import type { Triage } from '@thumbline/events';
import { formatShortDay, periodChange, VS_PREVIOUS_PERIOD } from '../format.ts';
import { OUTCOME_LABELS, OUTCOMES } from '../review.ts';

/** Whether more is good news (reviews done) or bad (downvotes, problems found). */
type Sense = 'more-is-good' | 'more-is-bad' | 'neutral';

function Change({
  current,
  previous,
  sense,
  testid,
}: {
  current: number;
  previous: number;
  sense: Sense;
  testid: string;
}) {
  const change = periodChange(current, previous);
  const rising = change.direction === 'up' || change.direction === 'new';
  const falling = change.direction === 'down';
  const tone =
    sense === 'neutral' || (!rising && !falling) ? 'flat' : rising === (sense === 'more-is-good') ? 'good' : 'bad';
  return (
    <span class={`change-badge ${tone}`} data-testid={testid} title={`Previous period: ${previous.toLocaleString()}`}>
      <span class="change-value">{change.value}</span> {VS_PREVIOUS_PERIOD}
    </span>
  );
}

export function TriageCard({ triage, onTriage }: { triage: Triage; onTriage: () => void }) {
  const p = triage.previous;
  const pct = (n: number, of: number) => (of === 0 ? '–' : `${Math.round((n / of) * 100)}%`);
  const previousLabel =
    p.from === p.to ? formatShortDay(p.from) : `${formatShortDay(p.from)} – ${formatShortDay(p.to)}`;
  const open = triage.downvoted - triage.reviewed;
  return (
    <div class="triage" data-testid="triage-card">
      <div class="triage-kpis">
        <div class="tally">
          <div class="tally-label">Downvoted conversations</div>
          <div class="tally-numbers">
            <span class="tally-count" data-testid="triage-downvoted">
              {String(triage.downvoted)}
            </span>
          </div>
          <Change
            current={triage.downvoted}
            previous={p.downvoted}
            sense="more-is-bad"
            testid="triage-downvoted-change"
          />
        </div>
        <div class="tally">
          <div class="tally-label">Reviewed</div>
          <div class="tally-numbers">
            <span class="tally-count" data-testid="triage-reviewed">
              {String(triage.reviewed)}
            </span>
            <span class="tally-pct">{pct(triage.reviewed, triage.downvoted)}</span>
          </div>
          <Change
            current={triage.reviewed}
            previous={p.reviewed}
            sense="more-is-good"
            testid="triage-reviewed-change"
          />
        </div>
      </div>
      <table class="triage-outcomes">
        <thead>
          <tr>
            <th scope="col">Outcome</th>
            <th scope="col" class="num">
              Conversations
            </th>
            <th scope="col" class="num" title={`Previous period (${previousLabel})`}>
              Before
            </th>
          </tr>
        </thead>
        <tbody>
          {OUTCOMES.map((o) => (
            <tr key={o} data-testid={`triage-outcome-${o}`}>
              <th scope="row">
                <span class={`review-badge ${o}`}>{OUTCOME_LABELS[o]}</span>
              </th>
              <td class="num" data-testid={`triage-count-${o}`}>
                {triage.outcomes[o]}
              </td>
              <td class="num muted">{p.outcomes[o]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" class="button secondary small" data-testid="triage-open" onClick={onTriage}>
        {open > 0 ? `Review ${open} unreviewed` : 'Open downvoted conversations'}
      </button>
    </div>
  );
}
