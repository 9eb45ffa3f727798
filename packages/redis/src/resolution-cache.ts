// A batch's resolution as cached in Redis for retries of its job (see batch-state.store.ts).
import type { BatchItem, BatchResolution } from '@thumbline/events';

/** A signed change as cached: item index, bucket, its conversation when not the item's (else 0), values. */
type CachedChange = [number, number, string | 0, number, number, number, number];
type CachedConversation = [string, string, number, number | null, string, number | null, number, number, number];

const itemKey = (ws: string, eventId: string) => `${ws}\u0000${eventId}`;

/**
 * The resolution as cached for a retry, without what the batch's items already say
 * (workspace, event and message ids): a quarter of the plain JSON, which went through
 * Redis and its append-only file for every event.
 */
export function encodeResolution(res: BatchResolution, items: readonly BatchItem[]): string {
  const index = new Map<string, number>();
  for (const i of res.fresh) {
    const item = items[i] as BatchItem;
    index.set(itemKey(item.w, item.e.event_id), i);
  }
  const changes: CachedChange[] = res.changes.map((c) => {
    const i = index.get(itemKey(c.workspace_id, c.event_id)) as number;
    const own = (items[i] as BatchItem).e.conversation_id;
    return [
      i,
      c.bucket,
      c.conversation_id === own ? 0 : c.conversation_id,
      c.thumbs_up,
      c.thumbs_down,
      c.csat_sum,
      c.csat_count,
    ];
  });
  const conversations: CachedConversation[] = res.conversations.map((c) => [
    c.workspace_id,
    c.conversation_id,
    c.started,
    c.score,
    c.reason,
    c.rated,
    c.thumbs_up,
    c.thumbs_down,
    c.version,
  ]);
  return JSON.stringify([res.fresh, changes, conversations]);
}

export function decodeResolution(cached: string, items: readonly BatchItem[]): BatchResolution {
  const [fresh, changes, conversations] = JSON.parse(cached) as [number[], CachedChange[], CachedConversation[]];
  return {
    fresh,
    changes: changes.map(([i, bucket, conversation, up, down, csatSum, csatCount]) => {
      const { w, e } = items[i] as BatchItem;
      return {
        workspace_id: w,
        bucket,
        conversation_id: conversation === 0 ? e.conversation_id : conversation,
        message_id: e.type === 'message.feedback' ? (e.message_id ?? '') : '',
        event_id: e.event_id,
        thumbs_up: up,
        thumbs_down: down,
        csat_sum: csatSum,
        csat_count: csatCount,
      };
    }),
    conversations: conversations.map(([ws, cid, started, score, reason, rated, up, down, version]) => ({
      workspace_id: ws,
      conversation_id: cid,
      started,
      score,
      reason,
      rated,
      thumbs_up: up,
      thumbs_down: down,
      version,
    })),
  };
}
