import { AppError } from '@thumbline/core';

/**
 * Bounds analyst SQL in flight: per workspace, and in total for the process, so analysts
 * cannot take every core the dashboards need. A full gate answers 429 at once rather
 * than queueing: a queued request would only wait for someone's time cap.
 */
export class AnalystGate {
  private readonly running = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly limits: { perWorkspace: number; total: number; retryAfterSeconds: number } = {
      perWorkspace: 2,
      total: 4,
      retryAfterSeconds: 10,
    },
  ) {}

  /**
   * Takes a place for `workspaceId`; call the returned function once, when the query ends.
   * @throws AppError 429 `rate_limited` with Retry-After when the workspace or the process is full.
   */
  enter(workspaceId: string): () => void {
    const mine = this.running.get(workspaceId) ?? 0;
    if (mine >= this.limits.perWorkspace || this.total >= this.limits.total) {
      const who = mine >= this.limits.perWorkspace ? `${mine} analyst queries of this workspace` : 'analyst queries';
      throw new AppError('rate_limited', 429, `${who} are already running; try again later`, {
        headers: { 'Retry-After': String(this.limits.retryAfterSeconds) },
      });
    }
    this.running.set(workspaceId, mine + 1);
    this.total++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.total--;
      const now = (this.running.get(workspaceId) ?? 1) - 1;
      if (now === 0) this.running.delete(workspaceId);
      else this.running.set(workspaceId, now);
    };
  }
}
