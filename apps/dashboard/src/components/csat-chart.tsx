// Daily average CSAT (1–5) as a uPlot line; days without ratings are gaps.
import uPlot from 'uplot';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Overview } from '@thumbline/events';
import { formatAverage, formatDay, formatShortDay } from '../format.ts';

type Daily = Overview['csat']['daily'];

const HEIGHT = 240;
const DAY_S = 86_400;

function toData(daily: Daily): uPlot.AlignedData {
  return [daily.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), daily.map((d) => d.average)];
}

function dayOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

interface Tip {
  idx: number;
  left: number;
  top: number;
}

export function CsatChart({ daily }: { daily: Daily }) {
  const wrap = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const dailyRef = useRef(daily);
  dailyRef.current = daily;
  const [tip, setTip] = useState<Tip | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 200),
      height: HEIGHT,
      // x values are UTC midnights of local days: show them as UTC so each is its own date.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      legend: { show: false },
      cursor: {
        y: false,
        drag: { x: false, y: false },
        points: { size: 10, width: 2, fill: '#2563eb', stroke: '#ffffff' },
      },
      scales: {
        x: {
          time: true,
          // One day (Today): centre its point instead of starting the axis at it.
          range: (u, min, max) => {
            const xs = u.data[0];
            const only = xs.length === 1 ? xs[0] : undefined;
            return only === undefined ? [min, max] : [only - DAY_S / 2, only + DAY_S / 2];
          },
        },
        y: { auto: false, range: [0.8, 5.2] },
      },
      axes: [
        {
          stroke: '#6b7280',
          grid: { show: false },
          ticks: { stroke: '#e5e7eb', size: 4 },
          incrs: [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 28 * DAY_S, 91 * DAY_S],
          space: 56,
          size: 30,
          values: (_u, splits) => splits.map((s) => formatShortDay(dayOf(s))),
          font: '11px system-ui, sans-serif',
        },
        {
          stroke: '#6b7280',
          grid: { stroke: '#eef0f3', width: 1 },
          ticks: { show: false },
          splits: () => [1, 2, 3, 4, 5],
          values: (_u, splits) => splits.map((s) => String(s)),
          size: 32,
          font: '11px system-ui, sans-serif',
        },
      ],
      series: [
        {},
        {
          label: 'Average CSAT',
          stroke: '#2563eb',
          width: 2,
          fill: 'rgba(37, 99, 235, 0.07)',
          spanGaps: false,
          points: { show: true, size: 6, fill: '#ffffff', stroke: '#2563eb', width: 2 },
        },
      ],
      hooks: {
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            const box = wrap.current;
            const x = idx == null ? undefined : u.data[0][idx];
            if (idx == null || x === undefined || !box) {
              setTip(null);
              return;
            }
            const y = u.data[1]?.[idx];
            const over = u.over.getBoundingClientRect();
            const outer = box.getBoundingClientRect();
            setTip({
              idx,
              left: over.left - outer.left + u.valToPos(x, 'x'),
              top: over.top - outer.top + (y == null ? u.over.clientHeight / 2 : u.valToPos(y, 'y')),
            });
          },
        ],
      },
    };
    const u = new uPlot(opts, toData(dailyRef.current), el);
    plot.current = u;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      // Resize on the next frame: resizing inside the callback could loop.
      frame = requestAnimationFrame(() => {
        const width = Math.max(el.clientWidth, 200);
        if (width !== u.width) u.setSize({ width, height: HEIGHT });
      });
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(toData(daily));
  }, [daily]);

  const rated = daily.some((d) => d.rated > 0);
  const hovered = tip ? daily[tip.idx] : undefined;
  return (
    <div class="chart" data-testid="csat-chart" data-points={daily.filter((d) => d.average !== null).length} ref={wrap}>
      <div class="chart-plot" ref={host} />
      {!rated && !tip && <div class="chart-empty">No rated conversations in this period yet.</div>}
      {tip && hovered && (
        <div
          class={`chart-tip${tip.left > (wrap.current?.clientWidth ?? 0) / 2 ? ' left' : ''}`}
          style={{ left: `${tip.left}px`, top: `${tip.top}px` }}
          role="status"
          data-testid="csat-tooltip"
        >
          <div class="chart-tip-day">{formatDay(hovered.day)}</div>
          <div class="chart-tip-value">
            {hovered.average === null ? 'No ratings' : `Average ${formatAverage(hovered.average)}`}
          </div>
          <div class="chart-tip-rated">{`${hovered.rated.toLocaleString()} rated`}</div>
        </div>
      )}
    </div>
  );
}
