// Analyze → Recommendations: knowledge gaps (similar questions whose answers were thumbed down).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { KnowledgeGaps } from '@thumbline/events';
import { errorMessage, isAbort } from '../api.ts';
import { useServices } from '../context.ts';
import { formatDateTime, plural } from '../format.ts';
import { isResolved, resolveRange, type RangeSelection } from '../range.ts';
import { segmentParams, type SegmentFilter } from '../segment.ts';
import { ErrorNote } from '../components/card.tsx';
import { RangeControls } from '../components/range-controls.tsx';
import { SegmentPicker } from '../components/segment-picker.tsx';
import { ThumbDownIcon } from '../components/icons.tsx';
import { SourcesCard } from '../components/sources-card.tsx';

/** New thumbs-down reload the list this long after the last one. */
const LIVE_REFRESH_MS = 3000;

type Gap = KnowledgeGaps['items'][number];

function GapItem({ gap, tz }: { gap: Gap; tz: string }) {
  return (
    <li class="card gap" data-testid="knowledge-gap" data-gap-id={gap.id}>
      <div class="gap-head">
        <h2 class="gap-question">{gap.question}</h2>
        <span class="gap-count">
          <ThumbDownIcon />
          <span data-testid="gap-counts">{`${gap.thumbs_down} thumbs-down in ${plural(gap.conversations, 'conversation')}`}</span>
        </span>
      </div>
      <div class="gap-meta">Last seen {formatDateTime(gap.last_seen, tz)}</div>
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
      {gap.examples.length > 0 && (
        <div class="gap-examples">
          <div class="gap-examples-label">Example questions</div>
          <ul>
            {gap.examples.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      )}
    </li>
  );
}

interface RecommendationsScreenProps {
  range: RangeSelection;
  onRange: (next: RangeSelection) => void;
  segment: SegmentFilter;
  onSegment: (next: SegmentFilter) => void;
}

export function RecommendationsScreen({ range, onRange, segment, onSegment }: RecommendationsScreenProps) {
  const { api, hub } = useServices();
  const resolved = resolveRange(range);
  const from = isResolved(resolved) ? resolved.from : null;
  const to = isResolved(resolved) ? resolved.to : null;
  const tz = range.tz;
  const { widget_id, locale } = segmentParams(segment);
  const [gaps, setGaps] = useState<KnowledgeGaps['items'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!from || !to) return;
    const controller = new AbortController();
    api
      .get<KnowledgeGaps>('/v1/recommendations/knowledge-gaps', { from, to, tz, widget_id, locale }, controller.signal)
      .then((body) => {
        setGaps(body.items);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      });
    return () => controller.abort();
  }, [api, from, to, tz, widget_id, locale, version]);

  useEffect(() => {
    const unsubscribe = hub.subscribe({
      onDelta: (delta) => {
        if (!(delta.buckets ?? []).some((b) => b.thumbs_down !== 0)) return;
        if (timer.current) clearTimeout(timer.current);
        timer.current = setTimeout(() => setVersion((v) => v + 1), LIVE_REFRESH_MS);
      },
      onResync: () => setVersion((v) => v + 1),
    });
    return () => {
      unsubscribe();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [hub]);

  return (
    <div class="screen">
      <header class="screen-head">
        <div>
          <div class="breadcrumb">Analyze</div>
          <h1>Recommendations</h1>
        </div>
        <div class="screen-controls">
          <SegmentPicker range={isResolved(resolved) ? resolved : null} value={segment} onChange={onSegment} />
          <RangeControls value={range} onChange={onRange} />
        </div>
      </header>
      <p class="lead">
        Knowledge gaps: shopper questions whose answers were thumbed down, grouped with similar wordings, most
        thumbs-down first. Add the missing knowledge, then re-test the question.
      </p>
      {error && <ErrorNote>{error}</ErrorNote>}
      {gaps === null && !error && <p class="placeholder">Loading…</p>}
      {gaps !== null && gaps.length === 0 && (
        <div class="card empty-state" data-testid="knowledge-gaps-empty">
          <h2>No knowledge gaps in this period</h2>
          <p>
            When shoppers thumb down the assistant's answers to the same or similar questions (at least 2 thumbs-down in
            2 different conversations), the question appears here with how often it was asked, when it was last seen and
            the other ways shoppers phrased it. Each one is a specific piece of knowledge to add.
          </p>
        </div>
      )}
      {gaps !== null && gaps.length > 0 && (
        <ul class="gaps">
          {gaps.map((g) => (
            <GapItem key={g.id} gap={g} tz={tz} />
          ))}
        </ul>
      )}
      {from && to && (
        <SourcesCard from={from} to={to} tz={tz} widget_id={widget_id} locale={locale} version={version} />
      )}
    </div>
  );
}
