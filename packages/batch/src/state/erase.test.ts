// A dead letter's cached resolution without an erased conversation (eraseFromCachedResolutions):
// the kept items re-indexed, nothing of the erased conversation left, and a replay's view of it
// (decoded with the kept items) equal to what the first attempt resolved for the kept events.
import { describe, expect, it } from 'vitest';
import { resolve, type BatchItem } from '@thumbline/events';
import { decodeResolution, encodeResolution } from '../batch-record.ts';
import { withoutConversations } from './erase.ts';

const T = 1_765_000_000_000;
const item = (n: number, conversation_id: string, fields: Partial<BatchItem['e']>, w = 'w'): BatchItem => ({
  w,
  r: `r${String(n).padStart(3, '0')}`,
  e: { event_id: `e${n}`, type: 'message.feedback', ts: T + n, conversation_id, ...fields },
});

describe('withoutConversations', () => {
  const ERASED = 'gone-1';
  const items: BatchItem[] = [
    item(0, ERASED, { message_id: 'shared', thumb: 'down' }),
    item(1, ERASED, { type: 'conversation.csat', score: 1, reason: 'secret reason' }),
    item(2, 'kept', { message_id: 'k-a', thumb: 'up' }),
    item(3, 'kept', { type: 'conversation.csat', score: 5 }),
    // The same message thumbed in another conversation later: its retraction is in the erased one.
    item(4, 'kept', { message_id: 'shared', thumb: 'up' }),
    // Another workspace's conversation with the same id is not erased.
    item(5, ERASED, { message_id: 'o-a', thumb: 'up' }, 'other-ws'),
  ];
  const isErased = (w: string, c: string) => w === 'w' && c === ERASED;
  const gone = (i: BatchItem) => isErased(i.w, i.e.conversation_id);
  const { resolution: full } = resolve(items, { workspaces: new Map() });

  it('keeps the other items, re-indexed, and their changes and summaries', () => {
    const { resolution, items: kept } = withoutConversations(full, items, gone, isErased);
    expect(kept.map((i) => i.e.event_id)).toEqual(['e2', 'e3', 'e4', 'e5']);
    expect(resolution.fresh).toEqual([0, 1, 2, 3]);
    const ofKept = full.changes.filter((c) => c.event_id !== 'e0' && c.event_id !== 'e1');
    expect(resolution.changes).toEqual(
      ofKept.map((c) => (isErased(c.workspace_id, c.conversation_id) ? { ...c, conversation_id: '' } : c)),
    );
    // The retraction e4 made in the erased conversation is kept, without its id.
    expect(
      resolution.changes.some((c) => c.event_id === 'e4' && c.conversation_id === '' && c.thumbs_down === -1),
    ).toBe(true);
    expect(resolution.conversations.map((c) => `${c.workspace_id}/${c.conversation_id}`).sort()).toEqual([
      'other-ws/gone-1',
      'w/kept',
    ]);
    expect(JSON.stringify(resolution.conversations)).not.toContain('secret');
  });

  it('encodes against the kept items and decodes to the same', () => {
    const { resolution, items: kept } = withoutConversations(full, items, gone, isErased);
    expect(decodeResolution(encodeResolution(resolution, kept), kept)).toEqual(resolution);
  });

  it('takes a cache decoded from the full items, as the erasure reads it', () => {
    const cached = decodeResolution(encodeResolution(full, items), items);
    expect(withoutConversations(cached, items, gone, isErased)).toEqual(
      withoutConversations(full, items, gone, isErased),
    );
  });
});
