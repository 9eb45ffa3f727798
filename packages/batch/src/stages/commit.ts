// Stage 4, commit: each open part's state writes and its cached resolution, atomically per
// partition, if the state it was resolved from is still current (state/hot.ts).
import { BLANK_CONVERSATION, type ConversationState } from '@thumbline/events';
import type { RedisClient } from '@thumbline/redis';
import { encodeResolution } from '../batch-record.ts';
import { bucketOf, idToken, stateField, storeConversation, storeMessage } from '../state/encoding.ts';
import { commitHot, type HotWrites, type StateOptions } from '../state/hot.ts';
import type { Part } from './resolve.ts';

/**
 * A part's writes as the commit script takes them (lines of fields and values): the messages
 * that changed, and the conversations that changed or counted an event, each with the ids of
 * every event it counted (those before, from the snapshot, and this batch's).
 */
export function hotWrites(part: Pick<Part, 'items' | 'read' | 'resolution' | 'writes'>): HotWrites {
  const read = part.read as NonNullable<Part['read']>;
  const counted = new Map<string, string[]>();
  for (const i of part.resolution?.fresh ?? []) {
    const { w, e } = part.items[i] as Part['items'][number];
    const f = stateField(w, e.conversation_id);
    const ids = counted.get(f);
    if (ids) ids.push(idToken(e.event_id));
    else counted.set(f, [idToken(e.event_id)]);
  }
  const { buckets } = read.read;
  let messages = '';
  const changed = new Map<string, ConversationState>();
  for (const [ws, w] of part.writes ?? []) {
    for (const [mid, m] of w.messages) {
      const f = stateField(ws, mid);
      messages += `${bucketOf(f, buckets)}\t${f}\t${storeMessage(ws, m, buckets)}\n`;
    }
    for (const [cid, c] of w.conversations) changed.set(stateField(ws, cid), c);
  }
  let conversations = '';
  for (const f of new Set([...changed.keys(), ...counted.keys()])) {
    const before = read.conversations.get(f);
    const state = changed.get(f) ?? before?.state ?? BLANK_CONVERSATION;
    const ids = [...(before?.ids ?? []), ...(counted.get(f) ?? [])];
    conversations += `${bucketOf(f, buckets)}\t${f}\t${storeConversation(state, ids)}\n`;
  }
  return { messages, conversations };
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
