import type { ConversationChange } from '@thumbline/events';

/** Conversations remembered; past this the oldest seen are forgotten (a dashboard tab's lifetime). */
const REMEMBERED = 50_000;

/**
 * The greatest version seen per conversation. Deltas of one conversation can arrive out of
 * order (two batches commit in one order and publish in the other), so a summary is taken
 * only when its version is greater than every one seen before: the newest entry a
 * dashboard holds is always the conversation's current summary.
 */
export class ConversationVersions {
  private readonly greatest = new Map<string, number>();

  /** Records a summary's version; true when it is newer than all seen (take it), false when stale. */
  accept(c: Pick<ConversationChange, 'conversation_id' | 'version'>): boolean {
    const seen = this.greatest.get(c.conversation_id);
    if (seen !== undefined && seen >= c.version) return false;
    this.greatest.delete(c.conversation_id); // re-inserted: the Map's order is by last update
    this.greatest.set(c.conversation_id, c.version);
    if (this.greatest.size > REMEMBERED) {
      const oldest = this.greatest.keys().next().value;
      if (oldest !== undefined) this.greatest.delete(oldest);
    }
    return true;
  }

  /** True when no greater version than this summary's was seen (it may be the current one). */
  isCurrent(c: Pick<ConversationChange, 'conversation_id' | 'version'>): boolean {
    return (this.greatest.get(c.conversation_id) ?? -1) <= c.version;
  }

  /** Of `changes`, those newer than every version seen (recorded as seen). */
  newer<T extends Pick<ConversationChange, 'conversation_id' | 'version'>>(changes: readonly T[]): T[] {
    return changes.filter((c) => this.accept(c));
  }
}
