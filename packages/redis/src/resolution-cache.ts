// A batch's resolution as cached in Redis for retries of its job (see batch-state.store.ts).
import { segmentOf, type BatchItem, type BatchResolution } from '@thumbline/events';

/**
 * A signed change as cached: item index, bucket, its conversation when not the item's (else 0),
 * values, then its segment when not the item's own (else 0), prompted and responded. A change
 * cached by a build before segments has only the first seven: segment '', no prompts.
 */
type CachedChange =
  | [number, number, string | 0, number, number, number, number]
  | [number, number, string | 0, number, number, number, number, [string, string] | 0, number, number];
/** A conversation as cached; widget and locale are missing in one cached before segments. */
type CachedConversation = [
  string,
  string,
  number,
  number | null,
  string,
  number | null,
  number,
  number,
  number,
  string?,
  string?,
];

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
    const { e } = items[i] as BatchItem;
    const seg = segmentOf(e);
    return [
      i,
      c.bucket,
      c.conversation_id === e.conversation_id ? 0 : c.conversation_id,
      c.thumbs_up,
      c.thumbs_down,
      c.csat_sum,
      c.csat_count,
      c.widget_id === seg.widget_id && c.locale === seg.locale ? 0 : [c.widget_id, c.locale],
      c.prompted,
      c.responded,
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
    c.widget_id,
    c.locale,
  ]);
  return JSON.stringify([res.fresh, changes, conversations]);
}

export function decodeResolution(cached: string, items: readonly BatchItem[]): BatchResolution {
  const [fresh, changes, conversations] = JSON.parse(cached) as [number[], CachedChange[], CachedConversation[]];
  return {
    fresh,
    changes: changes.map(([i, bucket, conversation, up, down, csatSum, csatCount, seg, prompted, responded]) => {
      const { w, e } = items[i] as BatchItem;
      const segment =
        seg === undefined
          ? { widget_id: '', locale: '' }
          : seg === 0
            ? segmentOf(e)
            : { widget_id: seg[0], locale: seg[1] };
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
        ...segment,
        prompted: prompted ?? 0,
        responded: responded ?? 0,
      };
    }),
    conversations: conversations.map(([ws, cid, started, score, reason, rated, up, down, version, widget, locale]) => ({
      workspace_id: ws,
      conversation_id: cid,
      started,
      score,
      reason,
      rated,
      thumbs_up: up,
      thumbs_down: down,
      version,
      widget_id: widget ?? '',
      locale: locale ?? '',
    })),
  };
}
