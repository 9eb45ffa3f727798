// Property, in memory (no Redis, no ClickHouse): the batch path's pure core — the fields a batch
// reads, the snapshot decoded from stored states (state/encoding.ts), resolve() and the writes
// the commit stores — over any events in any batching, keeps per conversation exactly the
// thumbs and CSAT the reference model has. State lives only as the stored strings between
// batches, so every write goes through the encoding and back.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hotWrites } from '../packages/batch/src/stages/commit.ts';
import {
  conversationOfMessage,
  idOfField,
  idToken,
  loadConversation,
  loadMessage,
  stateField,
  storeConversation,
  storeMessage,
} from '../packages/batch/src/state/encoding.ts';
import { fieldsOf, snapshotOf } from '../packages/batch/src/state/snapshot.ts';
import { receiveOrder, resolve, type BatchItem } from '@thumbline/events';
import { ReferenceModel, type ModelEvent } from './support/reference-model.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
// Ids of both shapes state stores: UUIDs (16 bytes in base64url) and anything else (JSON after '~').
const CONVERSATIONS = ['c0', randomUUID(), 'c "2"\t', randomUUID()];
const MESSAGES = ['m0', randomUUID(), 'm2', randomUUID(), 'm\n4', randomUUID()];
const conversationOf = (m: string) => CONVERSATIONS[MESSAGES.indexOf(m) % CONVERSATIONS.length] as string;

const tsArb = fc.oneof(
  fc.integer({ min: 0, max: 3 * 24 * 60 }).map((m) => NOW - m * 60_000),
  fc.constant(NOW),
);
const segment = fc.record(
  { widget_id: fc.constantFrom('w1', 'w2'), locale: fc.constantFrom('de-DE', 'en') },
  { requiredKeys: [] },
);
const eventArb: fc.Arbitrary<ModelEvent> = fc.oneof(
  fc
    .record({ m: fc.constantFrom(...MESSAGES), thumb: fc.constantFrom('up', 'down', 'none'), ts: tsArb, seg: segment })
    .map(({ m, thumb, ts, seg }) => ({
      event_id: randomUUID(),
      type: 'message.feedback' as const,
      ts,
      conversation_id: conversationOf(m),
      message_id: m,
      thumb: thumb as 'up' | 'down' | 'none',
      ...seg,
    })),
  fc
    .record({ c: fc.constantFrom(...CONVERSATIONS), score: fc.integer({ min: 1, max: 5 }), ts: tsArb, seg: segment })
    .map(({ c, score, ts, seg }) => ({
      event_id: randomUUID(),
      type: 'conversation.csat' as const,
      ts,
      conversation_id: c,
      score,
      ...(score <= 2 ? { reason: 'no "help"\n' } : {}),
      ...seg,
    })),
  fc.record({ c: fc.constantFrom(...CONVERSATIONS), ts: tsArb }).map(({ c, ts }) => ({
    event_id: randomUUID(),
    type: 'conversation.csat_prompted' as const,
    ts,
    conversation_id: c,
  })),
);

/** Events with some sent again (a retried request), cut into batches of 1–12. */
const runArb = fc
  .array(eventArb, { minLength: 1, maxLength: 60 })
  .chain((events) =>
    fc.tuple(
      fc.constant(events),
      fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 10 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
    ),
  )
  .map(([events, repeats, sizes]) => {
    const sent = [...events];
    for (const r of repeats) sent.splice(Math.min(sent.length, r + 3), 0, events[r] as ModelEvent);
    const batches: ModelEvent[][] = [];
    for (let i = 0, k = 0; i < sent.length; k++) {
      const n = sizes[k % sizes.length] as number;
      batches.push(sent.slice(i, i + n));
      i += n;
    }
    return batches;
  });

/** One workspace's stored states (a Redis hash each), read the way read-state.lua reads them. */
class MemoryState {
  readonly messages = new Map<string, string>();
  readonly conversations = new Map<string, string>();

  read(items: readonly BatchItem[]) {
    const fields = fieldsOf(items);
    const messages = new Map<string, string>();
    const conversations = new Map<string, string>();
    const asked = [...fields.conversations];
    for (const f of fields.messages) {
      const stored = this.messages.get(f);
      if (stored === undefined) continue;
      messages.set(f, stored);
      asked.push(conversationOfMessage(stored));
    }
    for (const f of asked) {
      const stored = this.conversations.get(f);
      if (stored !== undefined) conversations.set(f, stored);
    }
    return snapshotOf(items, messages, conversations);
  }

  write(text: string, into: Map<string, string>) {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      // "<bucket>\t<field>\t<value>": the bucket is where Redis would keep it (hot.ts)
      const rest = line.slice(line.indexOf('\t') + 1);
      const tab = rest.indexOf('\t');
      into.set(rest.slice(0, tab), rest.slice(tab + 1));
    }
  }
}

describe('resolve() over stored state, in memory', () => {
  it('counts each conversation exactly as the reference model', () => {
    fc.assert(
      fc.property(runArb, (batches) => {
        const model = new ReferenceModel();
        const state = new MemoryState();
        const totals = new Map<string, { up: number; down: number; sum: number; count: number }>();
        let ms = NOW;
        for (const batch of batches) {
          const entry = `${++ms}-0`;
          const items: BatchItem[] = batch.map((e, i) => ({
            w: 'w',
            r: receiveOrder(entry, i),
            e: e as BatchItem['e'],
          }));
          for (const e of batch) model.receive(e);
          const read = state.read(items);
          const { resolution, writes } = resolve(items, read.snapshot);
          const lines = hotWrites({
            items,
            read: { ...read, read: { generation: 0, version: '', buckets: 64 } },
            resolution,
            writes,
          });
          state.write(lines.messages, state.messages);
          state.write(lines.conversations, state.conversations);
          for (const c of resolution.changes) {
            const t = totals.get(c.conversation_id) ?? { up: 0, down: 0, sum: 0, count: 0 };
            t.up += c.thumbs_up;
            t.down += c.thumbs_down;
            t.sum += c.csat_sum;
            t.count += c.csat_count;
            totals.set(c.conversation_id, t);
          }
        }
        const expected = new Map(
          model
            .conversations('2000-01-01', '2100-01-01', 'UTC')
            .map((c) => [
              c.conversation_id,
              { up: c.thumbs_up, down: c.thumbs_down, sum: c.score ?? 0, count: c.score === null ? 0 : 1 },
            ]),
        );
        for (const id of CONVERSATIONS) {
          expect(totals.get(id) ?? { up: 0, down: 0, sum: 0, count: 0 }).toEqual(
            expected.get(id) ?? { up: 0, down: 0, sum: 0, count: 0 },
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stores states, ids and receive orders as they were', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const time = fc.option(fc.integer({ min: 0, max: 8_640_000_000_000_000 }), { nil: null });
    const order = fc.oneof(
      fc.constant(''),
      fc
        .tuple(
          fc.integer({ min: 0, max: 10 ** 15 - 1 }),
          fc.integer({ min: 0, max: 10 ** 10 - 1 }),
          fc.integer({ min: 0, max: 9999 }),
        )
        .map(([m, s, i]) => receiveOrder(`${m}-${s}`, i)),
      text,
    );
    const stateArb = fc.record({
      started: time,
      up: fc.nat(),
      down: fc.nat(),
      score: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      reason: text,
      cts: time,
      crecv: order,
      version: fc.nat(),
      cw: text,
      cl: text,
      widget: text,
      wts: time,
      wrecv: order,
      locale: text,
      lts: time,
      lrecv: order,
      pts: time,
      precv: order,
      pw: text,
      pl: text,
    });
    const idsArb = fc.array(fc.oneof(fc.uuid(), text), { maxLength: 8 });
    fc.assert(
      fc.property(stateArb, idsArb, (state, ids) => {
        const tokens = ids.map(idToken);
        const stored = storeConversation(state, tokens);
        expect(stored).not.toContain('\n');
        expect(loadConversation(stored)).toEqual({ state, ids: tokens });
      }),
    );
    const messageArb = fc.tuple(
      fc.constantFrom('up', 'down', 'none', ''),
      time,
      order,
      fc.oneof(fc.uuid(), text),
      text,
      text,
    );
    fc.assert(
      fc.property(messageArb, fc.oneof(fc.uuid(), text), ([thumb, ts, recv, conversation, widget, locale], id) => {
        const m = [thumb, ts ?? 0, recv, conversation, widget, locale] as const;
        const stored = storeMessage('ws', [...m], 64);
        expect(stored).not.toContain('\n');
        expect(loadMessage(stored)).toEqual(m);
        expect(conversationOfMessage(stored)).toBe(stateField('ws', conversation));
        expect(idOfField(stateField('ws', id))).toBe(id);
      }),
    );
  });
});
