// Stage 5, summaries: the committed batch's conversation versions, then the signed changes
// the overview counts, each table once per batch however often the batch is retried (its
// record's ledger). Conversation versions go first, stamped and registered so the inbox's
// watermark stays below them until they are stored (commit-watermark.ts): a conversation
// counted on the overview is in the next inbox listing.
import { writeChanges, writeConversations, type BatchRows, type ClickHouse } from '@thumbline/clickhouse';
import { withCommitStamp, type Keys, type RedisClient } from '@thumbline/redis';
import type { BatchRecord } from '../batch-record.ts';

export async function writeSummaries(
  deps: { redis: RedisClient; keys: Keys; ch: ClickHouse },
  record: BatchRecord,
  rows: Pick<BatchRows, 'conversations' | 'changes'>,
): Promise<void> {
  const written = await record.written();
  if (!written.has('conversations')) {
    await withCommitStamp(deps.redis, deps.keys, record.batchId, (stamp) =>
      writeConversations(deps.ch, record.batchId, rows.conversations, stamp),
    );
    await record.markWritten('conversations');
  }
  if (!written.has('changes')) {
    await writeChanges(deps.ch, record.batchId, rows.changes);
    await record.markWritten('changes');
  }
}
