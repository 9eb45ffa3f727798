// What a batch keeps in Redis while it is not done, so any retry or replay of it, however
// late, writes and publishes exactly what its first attempt would have (ADR 0008):
// - per partition, its resolution, cached in the same script call that commits its state
//   (state/lua/commit-state.lua), read back instead of resolving again (read-state.lua);
// - the tables it has written after that commit (the ledger);
// - per workspace, the seq its live delta got (publish-delta.lua in packages/redis).
// All of it goes in one `forget` once the batch is done.
import type { SummaryTable } from '@thumbline/clickhouse';
import { segmentOf, type BatchItem, type BatchResolution } from '@thumbline/events';
import type { Keys, RedisClient } from '@thumbline/redis';

export class BatchRecord {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly batchId: string,
    /** How long the record outlives the batch's last attempt (a dead letter may be replayed later). */
    readonly ttlSeconds: number,
  ) {}

  /** The summary tables earlier attempts of this batch wrote. */
  async written(): Promise<Set<SummaryTable>> {
    return new Set((await this.redis.smembers(this.keys.batchLedger(this.batchId))) as SummaryTable[]);
  }

  /** Records that `table` holds this batch's rows. */
  async markWritten(table: SummaryTable): Promise<void> {
    const key = this.keys.batchLedger(this.batchId);
    await this.redis.multi().sadd(key, table).expire(key, this.ttlSeconds).exec();
  }

  /**
   * Forgets the batch: its cached resolutions, ledger and publish markers. A later delivery of
   * the same slice is resolved again and finds every event seen (nothing to write or publish).
   */
  async forget(partitions: Iterable<number>, workspaceIds: Iterable<string>): Promise<void> {
    const gone = [
      this.keys.batchLedger(this.batchId),
      ...[...partitions].map((p) => this.keys.partition(p).batch(this.batchId)),
      ...[...workspaceIds].map((ws) => this.keys.published(this.batchId, ws)),
    ];
    // One DEL per key: on a cluster they live in different slots.
    await Promise.all(gone.map((key) => this.redis.del(key)));
  }
}

/**
 * A signed change as cached: item index, bucket, its conversation when not the item's (else 0),
 * values, its segment when not the item's own (else 0), prompted and responded.
 */
type CachedChange = [number, number, string | 0, number, number, number, number, [string, string] | 0, number, number];
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
  string,
  string,
];

const itemKey = (ws: string, eventId: string) => `${ws}\u0000${eventId}`;

/**
 * A partition's resolution as cached for a retry, without what the batch's items already say
 * (workspace, event and message ids): a quarter of the plain JSON.
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
        ...(seg === 0 ? segmentOf(e) : { widget_id: seg[0], locale: seg[1] }),
        prompted,
        responded,
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
      widget_id: widget,
      locale,
    })),
  };
}
