// "By language" / "By widget": CSAT, thumbs-down share, response rate and prompts per key
// (GET /v1/analytics/breakdown), within the selected segment; refreshed while feedback arrives.
import { useEffect, useState } from 'preact/hooks';
import type { Breakdown } from '@thumbline/events';
import { errorMessage, isAbort } from '../api.ts';
import { useServices } from '../context.ts';
import { formatAverage, formatPct, languageName } from '../format.ts';
import type { ResolvedRange } from '../range.ts';
import { Pacer, touchesBreakdown } from '../live-refresh.ts';
import { segmentParams, type SegmentFilter } from '../segment.ts';
import { Card, ErrorNote } from './card.tsx';

type By = 'language' | 'widget_id';

const TABS: { value: By; label: string; column: string }[] = [
  { value: 'language', label: 'By language', column: 'Language' },
  { value: 'widget_id', label: 'By widget', column: 'Widget' },
];

/** Feedback arriving reloads the card this much later, and at most once per REFRESH_MS. */
const REFRESH_GATHER_MS = 1000;
const REFRESH_MS = 5000;

const keyLabel = (by: By, key: string | null): string =>
  key === null ? (by === 'language' ? 'No language' : 'No widget') : by === 'language' ? languageName(key) : key;

/** A 0–1 fraction as a percentage. */
const fractionPct = (f: number | null): string => formatPct(f === null ? null : f * 100);

interface BreakdownCardProps {
  range: ResolvedRange | null;
  segment: SegmentFilter;
}

export function BreakdownCard({ range, segment }: BreakdownCardProps) {
  const { api, hub } = useServices();
  const [by, setBy] = useState<By>('language');
  const [data, setData] = useState<Breakdown | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const from = range?.from;
  const to = range?.to;
  const tz = range?.tz;
  const { widget_id, locale } = segmentParams(segment);

  useEffect(() => {
    if (!from || !to || !tz) return;
    const controller = new AbortController();
    api
      .get<Breakdown>('/v1/analytics/breakdown', { by, from, to, tz, widget_id, locale }, controller.signal)
      .then((body) => {
        setData(body);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      });
    return () => controller.abort();
  }, [api, by, from, to, tz, widget_id, locale, version]);

  useEffect(() => {
    const reload = () => setVersion((v) => v + 1);
    const refresh = new Pacer(reload, REFRESH_GATHER_MS, REFRESH_MS);
    const unsubscribe = hub.subscribe({
      onDelta: (delta) => {
        if (touchesBreakdown(delta)) refresh.request();
      },
      onResync: reload,
    });
    return () => {
      unsubscribe();
      refresh.stop();
    };
  }, [hub]);

  const tab = TABS.find((t) => t.value === by) ?? TABS[0]!;
  const shown = data?.by === by ? data : null;
  return (
    <Card
      title={tab.label}
      subtitle="Satisfaction, thumbs down and how many prompted shoppers rated, per segment."
      actions={
        <div class="segmented" role="group" aria-label="Break down by">
          {TABS.map((t) => (
            <button
              key={t.value}
              type="button"
              class={t.value === by ? 'active' : undefined}
              aria-pressed={t.value === by}
              data-testid={`breakdown-by-${t.value}`}
              onClick={() => setBy(t.value)}
            >
              {t.label}
            </button>
          ))}
        </div>
      }
    >
      {error && <ErrorNote>{error}</ErrorNote>}
      {!shown && !error && <div class="placeholder">Loading…</div>}
      {shown && shown.items.length === 0 && <div class="placeholder">No feedback in this period.</div>}
      {shown && shown.items.length > 0 && (
        <table class="breakdown-table" data-testid="breakdown-table" data-by={by}>
          <thead>
            <tr>
              <th scope="col">{tab.column}</th>
              <th scope="col" class="num">
                CSAT
              </th>
              <th scope="col" class="num">
                Thumbs down
              </th>
              <th scope="col" class="num">
                Response rate
              </th>
              <th scope="col" class="num">
                Prompted
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.items.map((i) => (
              <tr key={i.key ?? ''} data-testid="breakdown-row" data-key={i.key ?? ''}>
                <th scope="row">{keyLabel(by, i.key)}</th>
                <td class="num" data-testid="breakdown-csat" title={`${i.csat.rated.toLocaleString()} rated`}>
                  {formatAverage(i.csat.average)}
                </td>
                <td
                  class="num"
                  data-testid="breakdown-down-pct"
                  title={`${i.thumbs.down.toLocaleString()} of ${(i.thumbs.up + i.thumbs.down).toLocaleString()}`}
                >
                  {formatPct(i.thumbs.down_pct)}
                </td>
                <td class="num" data-testid="breakdown-response-rate">
                  {fractionPct(i.response_rate)}
                </td>
                <td class="num" data-testid="breakdown-prompted">
                  {i.prompted.toLocaleString()}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
