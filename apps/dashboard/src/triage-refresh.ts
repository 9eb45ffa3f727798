// When the overview's triage card is refetched after live deltas. The card counts conversations whose
// CSAT is negative, which a delta cannot update by itself (the snapshot holds counts, not which
// conversations they are), so a delta carrying a rated conversation asks for a refetch: soon after
// the first one, then at most once per interval however busy the workspace is, so that many
// dashboards on a busy workspace do not turn every delta into an overview query each.
import type { LiveDelta } from '@thumbline/events';

/** Whether a delta can change the triage card: it carries a conversation with a rating. */
export function touchesTriage(delta: LiveDelta): boolean {
  return delta.conversations.some((c) => c.satisfaction !== 'unknown');
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
