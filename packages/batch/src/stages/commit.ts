// Stage 4, commit: each open part's state writes and its cached resolution, atomically per
// partition, if the state it was resolved from is still current (state/hot.ts).
import type { RedisClient } from '@thumbline/redis';
import { encodeResolution } from '../batch-record.ts';
import { eventField, stateField, storeConversation, storeMessage } from '../state/encoding.ts';
import { commitHot, type HotWrites, type StateOptions } from '../state/hot.ts';
import type { Part } from './resolve.ts';

/** A part's writes as the commit script takes them (lines of fields and values). */
function hotWrites(part: Part): HotWrites {
  let ids = '';
  let messages = '';
  let conversations = '';
  for (const [ws, w] of part.writes ?? []) {
    for (const id of w.rememberIds) ids += `${eventField(ws, id)}\n`;
    for (const [mid, m] of w.messages) messages += `${stateField(ws, mid)}\t${storeMessage(ws, m)}\n`;
    for (const [cid, c] of w.conversations) conversations += `${stateField(ws, cid)}\t${storeConversation(c)}\n`;
  }
  return { ids, messages, conversations };
}

/**
 * Commits every open part. A part whose commit is 'ok' is done; 'committed' (another delivery
 * of this batch committed it first) and 'conflict' (its partition changed since it was read)
 * leave it open: the caller reads and resolves it again.
 */
export async function commitParts(
  deps: { redis: RedisClient; state: StateOptions },
  batchId: string,
  open: readonly Part[],
): Promise<void> {
  const outcomes = await Promise.all(
    open.map((part) =>
      commitHot(
        deps.redis,
        part.keys,
        batchId,
        (part.read as NonNullable<Part['read']>).read,
        hotWrites(part),
        encodeResolution(part.resolution as NonNullable<Part['resolution']>, part.items),
        deps.state,
      ),
    ),
  );
  open.forEach((part, i) => {
    if (outcomes[i] === 'ok') part.done = part.resolution;
  });
}
