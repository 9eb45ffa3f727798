import { describe, expect, it } from 'vitest';
import { ConversationVersions } from './conversation-versions.ts';

describe('ConversationVersions', () => {
  it('takes a summary only when its version is the greatest seen, in any arrival order', () => {
    const v = new ConversationVersions();
    expect(v.accept({ conversation_id: 'c', version: 2 })).toBe(true);
    expect(v.accept({ conversation_id: 'c', version: 1 })).toBe(false); // published late
    expect(v.accept({ conversation_id: 'c', version: 2 })).toBe(false); // repeated
    expect(v.accept({ conversation_id: 'd', version: 1 })).toBe(true); // per conversation
    expect(v.accept({ conversation_id: 'c', version: 3 })).toBe(true);
  });

  it('filters a batch of changes', () => {
    const v = new ConversationVersions();
    v.accept({ conversation_id: 'a', version: 5 });
    const kept = v.newer([
      { conversation_id: 'a', version: 4 },
      { conversation_id: 'b', version: 1 },
      { conversation_id: 'a', version: 6 },
    ]);
    expect(kept).toEqual([
      { conversation_id: 'b', version: 1 },
      { conversation_id: 'a', version: 6 },
    ]);
  });
});
