// Analyze → Overview: daily CSAT and message thumbs, kept live by deltas over the app's socket,
// within the selected segment (widget, language), and the same per language or widget.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { LiveOverview } from '@thumbline/live-client';
import type { Overview, OverviewFigures, Triage } from '@thumbline/events';
import { errorMessage, isAbort } from '../api.ts';
import { useServices } from '../context.ts';
import { formatAverage, formatPct, plural } from '../format.ts';
import { isResolved, resolveRange, type RangeSelection } from '../range.ts';
import { segmentParams, type SegmentFilter } from '../segment.ts';
import { BreakdownCard } from '../components/breakdown-card.tsx';
import { Card, ErrorNote } from '../components/card.tsx';
import { CsatChart } from '../components/csat-chart.tsx';
import { MessageFeedbackCard } from '../components/message-feedback-card.tsx';
import { RangeControls } from '../components/range-controls.tsx';
import { TriageCard } from '../components/triage-card.tsx';
import { SegmentPicker } from '../components/segment-picker.tsx';
import { Pacer, touchesTriage } from '../live-refresh.ts';

/** How long deltas may wait for a missing earlier one before the snapshot is refetched. */
const HELD_LIMIT_MS = 2000;
/** After a live review change, the overview (its triage card) is refetched this much later: reviews come in bursts. */
const REVIEW_REFETCH_MS = 300;
/** After a delta with a rated conversation, the triage card is refetched this much later, and at most once per interval. */
const TRIAGE_GATHER_MS = 300;
const TRIAGE_INTERVAL_MS = 5000;

interface OverviewScreenProps {
  range: RangeSelection;
  onRange: (next: RangeSelection) => void;
  segment: SegmentFilter;
  onSegment: (next: SegmentFilter) => void;
  /** Open the inbox on the window's unreviewed downvoted conversations. */
  onTriage: () => void;
}

export function OverviewScreen({ range, onRange, segment, onSegment, onTriage }: OverviewScreenProps) {
  const { api, hub } = useServices();
  const resolved = resolveRange(range);
  const query = isResolved(resolved) ? resolved : null;
  const from = query?.from;
  const to = query?.to;
  const tz = query?.tz;
  const { widget_id, locale } = segmentParams(segment);

  const [overview, setOverview] = useState<OverviewFigures | null>(null);
  const [triage, setTriage] = useState<Triage | null>(null);
  const reviewTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const live = useRef<LiveOverview | null>(null);
  const request = useRef<AbortController | null>(null);
  const heldTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refetch = useCallback(async () => {
    if (!from || !to || !tz) return;
    request.current?.abort();
    const controller = new AbortController();
    request.current = controller;
    setLoading(true);
    try {
      const snapshot = await api.get<Overview>(
        '/v1/analytics/overview',
        { from, to, tz, widget_id, locale },
        controller.signal,
      );
      if (controller.signal.aborted) return;
      // Deltas count everywhere: the overview applies only its segment's part of them.
      const next = new LiveOverview(snapshot, { widget_id, locale });
      // Deltas that arrived while the snapshot was on its way.
      for (const d of hub.since(snapshot.live_seq)) next.apply(d);
      live.current = next;
      setOverview(next.overview);
      setTriage(snapshot.triage);
      setError(null);
    } catch (err) {
      if (isAbort(err)) return;
      setError(errorMessage(err));
    } finally {
      if (request.current === controller) {
        request.current = null;
        setLoading(false);
      }
    }
  }, [api, hub, from, to, tz, widget_id, locale]);

  const refetchRef = useRef(refetch);
  refetchRef.current = refetch;

  // A new range, zone or segment: a new snapshot (deltas keep applying to the old one meanwhile).
  useEffect(() => {
    void refetch();
  }, [refetch]);

  useEffect(() => {
    const clearHeld = () => {
      if (heldTimer.current) clearTimeout(heldTimer.current);
      heldTimer.current = null;
    };
    const watchHeld = () => {
      if (!live.current || live.current.waiting === 0) return clearHeld();
      if (heldTimer.current) return;
      heldTimer.current = setTimeout(() => {
        heldTimer.current = null;
        if (live.current && live.current.waiting > 0) void refetchRef.current();
      }, HELD_LIMIT_MS);
    };
    hub.setSeqSource(() => live.current?.lastSeq);
    const triageRefresh = new Pacer(() => void refetchRef.current(), TRIAGE_GATHER_MS, TRIAGE_INTERVAL_MS);
    const unsubscribe = hub.subscribe({
      onDelta: (delta) => {
        const current = live.current;
        if (!current) return;
        if (current.apply(delta) === 'applied') setOverview(current.overview);
        // The triage card counts negative conversations: a snapshot's, not the deltas'.
        if (touchesTriage(delta)) triageRefresh.request();
        watchHeld();
      },
      onReview: () => {
        if (reviewTimer.current) clearTimeout(reviewTimer.current);
        reviewTimer.current = setTimeout(() => {
          reviewTimer.current = null;
          void refetchRef.current();
        }, REVIEW_REFETCH_MS);
      },
      onResync: () => void refetchRef.current(),
    });
    return () => {
      unsubscribe();
      triageRefresh.stop();
      if (reviewTimer.current) clearTimeout(reviewTimer.current);
      hub.setSeqSource(null);
      clearHeld();
      request.current?.abort();
    };
  }, [hub]);

  const csat = overview?.csat;
  return (
    <div class="screen">
      <header class="screen-head">
        <div>
          <div class="breadcrumb">Analyze</div>
          <h1>Overview</h1>
        </div>
        <div class="screen-controls">
          <SegmentPicker range={query} value={segment} onChange={onSegment} />
          <RangeControls value={range} onChange={onRange} />
        </div>
      </header>
      {error && <ErrorNote>{error}</ErrorNote>}
      <div class={`kpis${loading && overview ? ' refreshing' : ''}`}>
        <div class="kpi">
          <div class="kpi-label">Average satisfaction</div>
          <div class="kpi-value" data-testid="csat-average">
            {formatAverage(csat?.average ?? null)}
            <span class="kpi-unit"> / 5</span>
          </div>
        </div>
        <div class="kpi">
          <div class="kpi-label">Rated conversations</div>
          <div class="kpi-value" data-testid="csat-rated">
            {(csat?.rated ?? 0).toLocaleString()}
          </div>
        </div>
        <div class="kpi">
          <div class="kpi-label">Response rate</div>
          <div class="kpi-value" data-testid="csat-response-rate">
            {formatPct(csat?.response_rate == null ? null : csat.response_rate * 100)}
            <span class="kpi-unit" data-testid="csat-prompted">
              {` of ${(csat?.prompted ?? 0).toLocaleString()} prompted`}
            </span>
          </div>
        </div>
        <div class="kpi">
          <div class="kpi-label">Rated messages</div>
          <div class="kpi-value">{((overview?.thumbs.up ?? 0) + (overview?.thumbs.down ?? 0)).toLocaleString()}</div>
        </div>
      </div>
      <div class="overview-grid">
        <Card
          title="Customer satisfaction over time"
          subtitle="Average customer satisfaction rating (1–5) per day across rated conversations."
          actions={
            csat && (
              <span class="muted">
                {csat.average === null
                  ? 'No ratings'
                  : `Avg ${formatAverage(csat.average)} · ${plural(csat.rated, 'rating')}`}
              </span>
            )
          }
        >
          {overview ? <CsatChart daily={overview.csat.daily} /> : <div class="chart-placeholder">Loading…</div>}
        </Card>
        <Card title="Message feedback" subtitle="Thumbs up and down on individual AI answers in the selected period.">
          {overview ? <MessageFeedbackCard thumbs={overview.thumbs} /> : <div class="placeholder">Loading…</div>}
        </Card>
        <Card
          title="Triage"
          subtitle="Conversations rated negatively in the period, how many were reviewed, and what the reviews found."
        >
          {triage ? <TriageCard triage={triage} onTriage={onTriage} /> : <div class="placeholder">Loading…</div>}
        </Card>
        <BreakdownCard range={query} segment={segment} />
      </div>
    </div>
  );
}
