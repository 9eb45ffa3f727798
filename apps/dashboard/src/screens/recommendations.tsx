// Analyze → Recommendations: knowledge gaps (similar questions whose answers were thumbed down),
// one line each; those marked answered in their own section with before/after; and the sources
// the assistant cited.
import { useEffect, useState } from 'preact/hooks';
import type { KnowledgeGapItem, KnowledgeGaps } from '@thumbline/events';
import { errorMessage, isAbort } from '../api.ts';
import { useServices } from '../context.ts';
import { Pacer, touchesKnowledgeGaps } from '../live-refresh.ts';
import { isResolved, resolveRange, type RangeSelection } from '../range.ts';
import { segmentParams, type SegmentFilter } from '../segment.ts';
import { Card, ErrorNote } from '../components/card.tsx';
import { RangeControls } from '../components/range-controls.tsx';
import { SegmentPicker } from '../components/segment-picker.tsx';
import { AnsweredGapRow } from '../components/answered-gap-row.tsx';
import { KnowledgeGapRow } from '../components/knowledge-gap-row.tsx';
import { SourcesCard } from '../components/sources-card.tsx';

/** New thumbs-down reload the list this long after the first one, and at most once per interval. */
const LIVE_REFRESH_MS = 3000;
const LIVE_REFRESH_INTERVAL_MS = 10_000;

type Answered = KnowledgeGapItem & { answered: NonNullable<KnowledgeGapItem['answered']> };
/** Answered and not back: the Answered section. A gap that came back is open again, and says so. */
const isAnswered = (g: KnowledgeGapItem): g is Answered => g.answered !== null && !g.answered.returned;

/** The hash is the route: sections are reached by scrolling, not by anchors. */
const scrollTo = (id: string) => document.getElementById(id)?.scrollIntoView({ behavior: 'smooth', block: 'start' });

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
  const window = { from, to, tz, widget_id, locale };
  const reload = () => setVersion((v) => v + 1);

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
    const refresh = new Pacer(reload, LIVE_REFRESH_MS, LIVE_REFRESH_INTERVAL_MS);
    const unsubscribe = hub.subscribe({
      onDelta: (delta) => {
        if (touchesKnowledgeGaps(delta)) refresh.request();
      },
      onResync: reload,
    });
    return () => {
      unsubscribe();
      refresh.stop();
    };
  }, [hub]);

  const open = (gaps ?? []).filter((g) => !isAnswered(g));
  const answered = (gaps ?? []).filter(isAnswered);

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
        thumbs-down first. Add the missing knowledge, mark the gap answered, and watch whether its thumbs-down drop.
      </p>
      <nav class="page-sections" aria-label="Sections">
        <button type="button" class="link-button" onClick={() => scrollTo('recs-gaps')}>
          Open gaps{gaps !== null && ` · ${open.length}`}
        </button>
        <button type="button" class="link-button" onClick={() => scrollTo('recs-answered')} data-testid="to-answered">
          Answered{gaps !== null && ` · ${answered.length}`}
        </button>
        <button type="button" class="link-button" onClick={() => scrollTo('recs-sources')}>
          Sources
        </button>
      </nav>
      {error && <ErrorNote>{error}</ErrorNote>}
      <div class="recs-layout">
        <Card
          id="recs-gaps"
          title="Open gaps"
          subtitle="One line per question: thumbs-down, conversations and the daily trend. Open one for its wordings, sources and to mark it answered."
          class="gaps-card"
        >
          {gaps === null && !error && <p class="placeholder">Loading…</p>}
          {gaps !== null && open.length === 0 && (
            <div class="empty-state" data-testid="knowledge-gaps-empty">
              <h2>No knowledge gaps in this period</h2>
              <p>
                When shoppers thumb down the assistant's answers to the same or similar questions (at least 2
                thumbs-down in 2 different conversations), the question appears here with how often it was asked, when
                it was last seen and the other ways shoppers phrased it. Each one is a specific piece of knowledge to
                add.
              </p>
            </div>
          )}
          {open.length > 0 && (
            <ul class="gap-rows" data-testid="knowledge-gaps">
              {open.map((g) => (
                <KnowledgeGapRow key={g.id} gap={g} tz={tz} window={window} onChanged={reload} />
              ))}
            </ul>
          )}
        </Card>
        <div class="recs-side">
          <Card
            id="recs-answered"
            title="Answered"
            subtitle="Gaps marked answered: the share of answers thumbed down before and after, and whether the fix worked."
            class="answered-card"
          >
            {gaps !== null && answered.length === 0 && (
              <p class="muted" data-testid="answered-empty">
                Nothing marked answered in this period. Open a gap and mark it answered once its knowledge is added.
              </p>
            )}
            {answered.length > 0 && (
              <ul class="gap-rows" data-testid="answered-gaps">
                {answered.map((g) => (
                  <AnsweredGapRow key={g.id} gap={g} tz={tz} onChanged={reload} />
                ))}
              </ul>
            )}
          </Card>
          {from && to && (
            <SourcesCard from={from} to={to} tz={tz} widget_id={widget_id} locale={locale} version={version} />
          )}
        </div>
      </div>
    </div>
  );
}
