// Cards built from a query (not from deltas) and when live deltas reload them: which deltas can
// change each, and the pace of the reloads. A card is reloaded soon after the first delta that may
// change it, then at most once per interval however busy the workspace is, so that many dashboards
// on a busy workspace do not turn every delta into a query each, and a steady stream of deltas
// never postpones the reload forever (as a debounce would).
import type { LiveDelta } from '@thumbline/events';

/**
 * Whether a delta can change the overview's triage card, which counts conversations whose CSAT is
 * negative: it carries a rated conversation (a snapshot's counts cannot take it in by themselves).
 */
export function touchesTriage(delta: LiveDelta): boolean {
  return delta.conversations.some((c) => c.satisfaction !== 'unknown');
}

/** Whether a delta can change the overview's breakdown by language or widget: it counts something. */
export function touchesBreakdown(delta: LiveDelta): boolean {
  return delta.buckets.length > 0;
}

/** Whether a delta can change the knowledge gaps: it moves a thumbs-down count. */
export function touchesKnowledgeGaps(delta: LiveDelta): boolean {
  return delta.buckets.some((b) => b.thumbs_down !== 0);
}

/** Runs `work` `gatherMs` after a request, and never twice within `intervalMs`; requests meanwhile join it. */
export class Pacer {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = -Infinity;

  constructor(
    private readonly work: () => void,
    private readonly gatherMs: number,
    private readonly intervalMs: number,
  ) {}

  request(): void {
    if (this.timer !== null) return;
    const wait = Math.max(this.gatherMs, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = Date.now();
      this.work();
    }, wait);
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
