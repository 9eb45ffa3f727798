import { describe, expect, it } from 'vitest';
import { resolve, type BatchItem, type ConversationState, type Snapshot } from './batch-resolution.ts';

const T = Date.parse('2026-11-20T10:00:00Z');
const BUCKET = (ms: number) => Math.floor(ms / 900_000) * 900;

/** Events as the resolution sees them: receive order follows the list. */
function items(...events: BatchItem['e'][]): BatchItem[] {
  return events.map((e, i) => ({ w: 'w', r: String(i).padStart(4, '0'), e }));
}
const thumb = (id: string, mid: string, value: string, ts: number, cid = 'c1') => ({
  event_id: id,
  type: 'message.feedback',
  ts,
  conversation_id: cid,
  message_id: mid,
  thumb: value,
});
const csat = (id: string, score: number, ts: number, reason = '', cid = 'c1') => ({
  event_id: id,
  type: 'conversation.csat',
  ts,
  conversation_id: cid,
  score,
  reason,
});

function snapshot(state: {
  remembered?: string[];
  messages?: [string, [string, number, string, string]][];
  conversations?: [string, Partial<ConversationState>][];
}): Snapshot {
  const blank: ConversationState = {
    started: null,
    up: 0,
    down: 0,
    score: null,
    reason: '',
    cts: null,
    crecv: '',
    version: 0,
  };
  return {
    dedupGen: 1,
    stateGen: 1,
    version: '',
    workspaces: new Map([
      [
        'w',
        {
          remembered: new Set(state.remembered ?? []),
          messages: new Map(state.messages ?? []),
          conversations: new Map((state.conversations ?? []).map(([id, c]) => [id, { ...blank, ...c }])),
        },
      ],
    ]),
  };
}

/** [up, down, csat_sum, csat_count] at a bucket, per change. */
const signed = (r: ReturnType<typeof resolve>['resolution']) =>
  r.changes.map((c) => [c.bucket, c.thumbs_up, c.thumbs_down, c.csat_sum, c.csat_count]);

describe('resolve', () => {
  const cases: {
    name: string;
    batch: BatchItem[];
    state?: Parameters<typeof snapshot>[0];
    excluded?: number[];
    fresh: number[];
    changes: number[][];
    summary?: Partial<{ thumbs_up: number; thumbs_down: number; score: number | null; reason: string }>;
  }[] = [
    {
      name: 'a first thumb counts on its own bucket',
      batch: items(thumb('e1', 'm1', 'up', T)),
      fresh: [0],
      changes: [[BUCKET(T), 1, 0, 0, 0]],
      summary: { thumbs_up: 1, thumbs_down: 0 },
    },
    {
      name: 'an event id seen before (or twice in the batch) changes nothing',
      batch: items(thumb('e1', 'm1', 'up', T), thumb('e2', 'm2', 'up', T), thumb('e2', 'm2', 'up', T)),
      state: { remembered: ['e1'] },
      fresh: [1],
      changes: [[BUCKET(T), 1, 0, 0, 0]],
    },
    {
      name: 'a flip retracts the old thumb at its own bucket and adds the new one at its own',
      batch: items(thumb('e2', 'm1', 'down', T + 3_600_000)),
      state: {
        messages: [['m1', ['up', T, '0000', 'c1']]],
        conversations: [['c1', { up: 1, started: T, version: 1 }]],
      },
      fresh: [0],
      changes: [
        [BUCKET(T), -1, 0, 0, 0],
        [BUCKET(T + 3_600_000), 0, 1, 0, 0],
      ],
      summary: { thumbs_up: 0, thumbs_down: 1 },
    },
    {
      name: 'an older thumb arriving late is stored as seen but does not win',
      batch: items(thumb('e2', 'm1', 'down', T - 1000)),
      state: {
        messages: [['m1', ['up', T, '0000', 'c1']]],
        conversations: [['c1', { up: 1, started: T, version: 1 }]],
      },
      fresh: [0],
      changes: [],
    },
    {
      name: 'equal ts: the one received later wins',
      batch: items(thumb('e1', 'm1', 'up', T), thumb('e2', 'm1', 'down', T)),
      fresh: [0, 1],
      changes: [
        [BUCKET(T), 1, 0, 0, 0],
        [BUCKET(T), -1, 0, 0, 0],
        [BUCKET(T), 0, 1, 0, 0],
      ],
      summary: { thumbs_up: 0, thumbs_down: 1 },
    },
    {
      name: '`none` clears a thumb',
      batch: items(thumb('e1', 'm1', 'up', T), thumb('e2', 'm1', 'none', T + 1)),
      fresh: [0, 1],
      changes: [
        [BUCKET(T), 1, 0, 0, 0],
        [BUCKET(T), -1, 0, 0, 0],
      ],
      summary: { thumbs_up: 0, thumbs_down: 0 },
    },
    {
      name: 'a new rating retracts the current one at its bucket',
      batch: items(csat('e2', 5, T + 86_400_000)),
      state: { conversations: [['c1', { score: 1, reason: 'slow', cts: T, crecv: '0000', started: T, version: 1 }]] },
      fresh: [0],
      changes: [
        [BUCKET(T), 0, 0, -1, -1],
        [BUCKET(T + 86_400_000), 0, 0, 5, 1],
      ],
      summary: { score: 5, reason: '' },
    },
    {
      name: 'an older rating does not replace the current one',
      batch: items(csat('e2', 1, T - 1000, 'late')),
      state: { conversations: [['c1', { score: 4, cts: T, crecv: '0000', started: T, version: 1 }]] },
      fresh: [0],
      changes: [],
    },
    {
      name: 'items left out (refused by storage) are as if not in the batch',
      batch: items(thumb('e1', 'm1', 'up', T), csat('e2', 1, T, 'poison')),
      excluded: [1],
      fresh: [0],
      changes: [[BUCKET(T), 1, 0, 0, 0]],
      summary: { thumbs_up: 1, score: null },
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { resolution, writes } = resolve(c.batch, snapshot(c.state ?? {}), new Set(c.excluded ?? []));
      expect(resolution.fresh).toEqual(c.fresh);
      expect(signed(resolution)).toEqual(c.changes);
      // Every fresh event id is remembered; nothing else is.
      expect(writes.get('w')?.rememberIds ?? []).toEqual(c.fresh.map((i) => c.batch[i]?.e.event_id));
      if (c.summary) {
        const s = resolution.conversations.find((x) => x.conversation_id === 'c1');
        expect(s).toMatchObject({
          ...(c.summary.thumbs_up === undefined ? {} : { thumbs_up: c.summary.thumbs_up }),
          ...(c.summary.thumbs_down === undefined ? {} : { thumbs_down: c.summary.thumbs_down }),
          ...(c.summary.score === undefined ? {} : { score: c.summary.score }),
          ...(c.summary.reason === undefined ? {} : { reason: c.summary.reason }),
        });
      }
    });
  }

  it('a conversation starts at the earliest ts seen, and its version grows once per batch that changes it', () => {
    const { resolution } = resolve(
      items(thumb('e1', 'm1', 'up', T), thumb('e2', 'm2', 'up', T - 5000)),
      snapshot({ conversations: [['c1', { started: T + 1000, version: 4 }]] }),
    );
    expect(resolution.conversations).toHaveLength(1);
    expect(resolution.conversations[0]).toMatchObject({ started: T - 5000, version: 5, thumbs_up: 2 });
  });
});
