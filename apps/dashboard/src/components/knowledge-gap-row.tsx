// One knowledge gap as one line of the Recommendations list (question, thumbs-down,
// conversations, trend, verdict once answered) that opens to its examples, sources and the
// form that marks it answered (CONTRACT §13).
import { useState } from 'preact/hooks';
import type { KnowledgeGapItem } from '@thumbline/events';
import { errorMessage, withQuery, type QueryParams } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime, formatPct, plural } from '../format.ts';
import { ErrorNote } from './card.tsx';
import { ThumbDownIcon } from './icons.tsx';
import { Sparkline, trendOf } from './sparkline.tsx';

type Verdict = NonNullable<KnowledgeGapItem['answered']>['verdict'];
type Rate = NonNullable<KnowledgeGapItem['answered']>['before'];

export const VERDICT_LABEL: Record<Verdict, string> = {
  fixed: 'Fixed',
  not_fixed: 'Not fixed',
  unclear: 'Not yet clear',
};

const pct = (x: number | null) => formatPct(x === null ? null : x * 100);

/** `80% (49–94%) of 10 answers`: a rate with its 95 % interval. */
export function rateText(r: Rate): string {
  if (r.answers === 0) return 'no answers';
  return `${pct(r.rate)} (${pct(r.low)}–${pct(r.high)}) of ${plural(r.answers, 'answer')}`;
}

/** `YYYY-MM-DDTHH:mm` of now in the browser's zone, what a datetime-local input takes. */
function localNow(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

interface MarkProps {
  gap: KnowledgeGapItem;
  /** The window and segment the page shows: the gap is looked up in it. */
  window: QueryParams;
  onChanged: () => void;
}

/** Marks a gap answered at a time (the browser's local time), with the source that now covers it. */
function MarkAnsweredForm({ gap, window, onChanged }: MarkProps) {
  const { api } = useServices();
  const [at, setAt] = useState(localNow);
  const [source, setSource] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const ms = new Date(at).getTime();
    if (!Number.isFinite(ms)) return setError('Pick when the knowledge was added.');
    setSaving(true);
    try {
      const path = withQuery(`/v1/recommendations/knowledge-gaps/${gap.id}/answered`, window);
      await api.post(path, source ? { at: ms, source_id: source } : { at: ms });
      setError(null);
      onChanged();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <form class="gap-mark" onSubmit={submit} data-testid="gap-mark-form">
      <label class="field">
        <span>Answered at (your time)</span>
        <input
          type="datetime-local"
          value={at}
          onInput={(e) => setAt(e.currentTarget.value)}
          data-testid="gap-mark-at"
        />
      </label>
      <label class="field">
        <span>Now covered by</span>
        <select value={source} onChange={(e) => setSource(e.currentTarget.value)} data-testid="gap-mark-source">
          <option value="">(no source)</option>
          {gap.sources.map((s) => (
            <option key={s.source_id} value={s.source_id}>
              {s.title ?? s.source_id}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="button primary" disabled={saving} data-testid="gap-mark">
        Mark answered
      </button>
      {error && <ErrorNote>{error}</ErrorNote>}
    </form>
  );
}

interface RowProps {
  gap: KnowledgeGapItem;
  tz: string;
  window: QueryParams;
  onChanged: () => void;
}

/** A gap of the open list: one line, opening to its examples, sources and the answered form. */
export function KnowledgeGapRow({ gap, tz, window, onChanged }: RowProps) {
  const [open, setOpen] = useState(false);
  const trend = trendOf(gap.daily);
  const returned = gap.answered?.returned === true;
  return (
    <li class="gap-row" data-testid="knowledge-gap" data-gap-id={gap.id}>
      <button type="button" class="gap-line" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span class="gap-question">{gap.question}</span>
        {returned && (
          <span class="verdict not_fixed" data-testid="gap-returned" title="Thumbed down again after it was answered">
            Came back
          </span>
        )}
        <span class="gap-count" data-testid="gap-counts" title={`${gap.thumbs_down} thumbs-down`}>
          <ThumbDownIcon />
          {gap.thumbs_down}
        </span>
        <span class="gap-conversations">{plural(gap.conversations, 'conversation')}</span>
        <span class={`gap-trend ${trend}`} data-testid="gap-trend">
          <Sparkline values={gap.daily} label={`Thumbs-down per day: ${trend}`} />
        </span>
      </button>
      {open && (
        <div class="gap-detail">
          <div class="gap-meta">
            Last seen {formatDateTime(gap.last_seen, tz)}
            {gap.answered &&
              ` · answered ${formatDateTime(gap.answered.at, tz)}: ${rateText(gap.answered.before)} before, ${rateText(gap.answered.after)} after`}
          </div>
          <div class="gap-examples">
            <div class="gap-examples-label">Example questions</div>
            <ul>
              {gap.examples.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
          {gap.sources.length > 0 && (
            <div class="gap-examples" data-testid="gap-sources">
              <div class="gap-examples-label">Sources of the thumbed-down answers</div>
              <ul>
                {gap.sources.map((s) => (
                  <li key={s.source_id}>
                    {s.title ?? s.source_id}{' '}
                    <span class="muted">({plural(s.thumbs_down, 'thumb-down', 'thumbs-down')})</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <MarkAnsweredForm gap={gap} window={window} onChanged={onChanged} />
        </div>
      )}
    </li>
  );
}
