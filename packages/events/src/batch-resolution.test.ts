import { describe, expect, it } from 'vitest';
import {
  BLANK_CONVERSATION,
  resolve,
  type BatchItem,
  type ConversationState,
  type MessageState,
  type Snapshot,
} from './batch-resolution.ts';

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

/** A message state; without a segment, as state written before segments loads ('', ''). */
type StoredMessage = [string, number, string, string] | MessageState;

function snapshot(state: {
  remembered?: string[];
  messages?: [string, StoredMessage][];
  conversations?: [string, Partial<ConversationState>][];
}): Snapshot {
  const blank: ConversationState = BLANK_CONVERSATION;
  const message = (m: StoredMessage): MessageState => (m.length === 6 ? m : [...m, '', '']);
  return {
    workspaces: new Map([
      [
        'w',
        {
          remembered: new Set(state.remembered ?? []),
          messages: new Map((state.messages ?? []).map(([id, m]) => [id, message(m)])),
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

const W1 = { widget_id: 'w1', locale: 'de-DE' };
const W2 = { widget_id: 'w2', locale: 'en' };
const prompt = (id: string, ts: number, seg: object = {}, cid = 'c1') => ({
  event_id: id,
  type: 'conversation.csat_prompted',
  ts,
  conversation_id: cid,
  ...seg,
});
const H = 3_600_000;

/** [bucket, widget, locale, up, down, csat_sum, csat_count, prompted, responded] per change. */
const segmented = (r: ReturnType<typeof resolve>['resolution']) =>
  r.changes.map((c) => [
    c.bucket,
    c.widget_id,
    c.locale,
    c.thumbs_up,
    c.thumbs_down,
    c.csat_sum,
    c.csat_count,
    c.prompted,
    c.responded,
  ]);

describe('resolve: segments and prompts', () => {
  const cases: {
    name: string;
    batch: BatchItem[];
    state?: Parameters<typeof snapshot>[0];
    changes: (number | string)[][];
  }[] = [
    {
      name: "a thumb counts in its own event's segment, locale lowercased",
      batch: items({ ...thumb('e1', 'm1', 'down', T), ...W1 }),
      changes: [[BUCKET(T), 'w1', 'de-de', 0, 1, 0, 0, 0, 0]],
    },
    {
      name: 'a flip retracts in the segment of the event that set the old thumb',
      batch: items({ ...thumb('e2', 'm1', 'down', T + H), ...W2 }),
      state: {
        messages: [['m1', ['up', T, '0000', 'c1', 'w1', 'de-de']]],
        conversations: [['c1', { up: 1, started: T, version: 1 }]],
      },
      changes: [
        [BUCKET(T), 'w1', 'de-de', -1, 0, 0, 0, 0, 0],
        [BUCKET(T + H), 'w2', 'en', 0, 1, 0, 0, 0, 0],
      ],
    },
    {
      name: 'a thumb stored before segments is retracted in segment ""',
      batch: items({ ...thumb('e2', 'm1', 'none', T + H), ...W2 }),
      state: {
        messages: [['m1', ['up', T, '0000', 'c1']]],
        conversations: [['c1', { up: 1, started: T, version: 1 }]],
      },
      changes: [[BUCKET(T), '', '', -1, 0, 0, 0, 0, 0]],
    },
    {
      name: 'a new rating retracts the current one in its segment',
      batch: items({ ...csat('e2', 5, T + H), ...W2 }),
      state: {
        conversations: [['c1', { score: 1, cts: T, crecv: '0000', started: T, version: 1, cw: 'w1', cl: 'de-de' }]],
      },
      changes: [
        [BUCKET(T), 'w1', 'de-de', 0, 0, -1, -1, 0, 0],
        [BUCKET(T + H), 'w2', 'en', 0, 0, 5, 1, 0, 0],
      ],
    },
    {
      name: "the first prompt counts once in its bucket and segment; later ones and duplicates don't",
      batch: items(prompt('p1', T, W1), prompt('p2', T + H, W2), prompt('p1', T, W1)),
      changes: [[BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, 1, 0]],
    },
    {
      name: 'equal ts: the prompt received earlier is the first',
      batch: items(prompt('p1', T, W1), prompt('p2', T, W2)),
      changes: [[BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, 1, 0]],
    },
    {
      name: 'an earlier prompt arriving late moves the count from the old first prompt',
      batch: items(prompt('p2', T - H, W2)),
      state: { conversations: [['c1', { started: T, version: 1, pts: T, precv: '0000', pw: 'w1', pl: 'de-de' }]] },
      changes: [
        [BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, -1, 0],
        [BUCKET(T - H), 'w2', 'en', 0, 0, 0, 0, 1, 0],
      ],
    },
    {
      name: 'and the response moves with it when the conversation is rated',
      batch: items(prompt('p2', T - H, W2)),
      state: {
        conversations: [
          ['c1', { started: T, version: 1, pts: T, precv: '0000', pw: 'w1', pl: 'de-de', score: 4, cts: T + H }],
        ],
      },
      changes: [
        [BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, -1, -1],
        [BUCKET(T - H), 'w2', 'en', 0, 0, 0, 0, 1, 1],
      ],
    },
    {
      name: "the first rating of a prompted conversation is a response at the prompt's bucket and segment",
      batch: items(prompt('p1', T, W1), { ...csat('r1', 2, T + H), ...W2 }, { ...csat('r2', 5, T + 2 * H), ...W2 }),
      changes: [
        [BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, 1, 0],
        [BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, 0, 1],
        [BUCKET(T + H), 'w2', 'en', 0, 0, 2, 1, 0, 0],
        [BUCKET(T + H), 'w2', 'en', 0, 0, -2, -1, 0, 0],
        [BUCKET(T + 2 * H), 'w2', 'en', 0, 0, 5, 1, 0, 0],
      ],
    },
    {
      name: 'a prompt arriving after the rating counts as answered',
      batch: items(prompt('p1', T, W1)),
      state: { conversations: [['c1', { started: T, version: 1, score: 3, cts: T + H, cw: 'w2', cl: 'en' }]] },
      changes: [[BUCKET(T), 'w1', 'de-de', 0, 0, 0, 0, 1, 1]],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { resolution } = resolve(c.batch, snapshot(c.state ?? {}));
      expect(segmented(resolution)).toEqual(c.changes);
    });
  }

  it("a conversation's widget and locale are those of its earliest event naming one (a late earlier event wins)", () => {
    const first = resolve(
      items(
        { ...thumb('e1', 'm1', 'up', T), widget_id: 'w2' },
        { ...prompt('p1', T - 1000), locale: 'fr-FR' },
        { ...prompt('p2', T - 2000) },
      ),
      snapshot({}),
    );
    expect(first.resolution.conversations[0]).toMatchObject({ widget_id: 'w2', locale: 'fr-FR' });
    const late = resolve(
      items({ ...thumb('e3', 'm2', 'up', T - H), ...W1 }, { ...thumb('e4', 'm3', 'up', T - 2 * H) }),
      snapshot({
        conversations: [['c1', { started: T, version: 1, widget: 'w2', wts: T, locale: 'fr-FR', lts: T - 1000 }]],
      }),
    );
    expect(late.resolution.conversations[0]).toMatchObject({ widget_id: 'w1', locale: 'de-DE', started: T - 2 * H });
    // The state remembers where each came from, for the next late event.
    expect(late.writes.get('w')?.conversations.get('c1')).toMatchObject({ wts: T - H, lts: T - H });
  });
});
