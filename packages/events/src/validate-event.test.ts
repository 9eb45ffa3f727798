import { describe, expect, it } from 'vitest';
import { validateEvent } from './validate-event.ts';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const opts = { now: NOW, maxEventAgeDays: 30, publicKey: false };
const base = { event_id: '3f1c6a8e-2b4d-4c1e-9a7b-5d6e7f8a9b0c', conversation_id: 'c-1' };

const verdict = (event: object, o = opts) => validateEvent(event, o);

describe('validateEvent', () => {
  it('accepts RFC 3339 with offset and epoch ms, normalising ts to ms', () => {
    const a = verdict({ ...base, type: 'conversation.started', ts: '2026-11-24T17:30:00+05:30' });
    const b = verdict({ ...base, type: 'conversation.started', ts: NOW });
    expect(a).toMatchObject({ ok: true, event: { ts: NOW } });
    expect(b).toMatchObject({ ok: true, event: { ts: NOW } });
  });

  it('rejects a time without offset and a fractional epoch', () => {
    for (const ts of ['2026-11-24T12:00:00', NOW + 0.5, 'yesterday']) {
      const v = verdict({ ...base, type: 'conversation.started', ts });
      expect(v).toMatchObject({ ok: false, code: 'invalid_event' });
      if (!v.ok) expect(v.message).toMatch(/^ts/);
    }
  });

  it('bounds ts: 5 minutes into the future, max age into the past', () => {
    const ev = (ts: number) => verdict({ ...base, type: 'conversation.resolved', ts });
    expect(ev(NOW + 5 * 60_000).ok).toBe(true);
    expect(ev(NOW + 5 * 60_000 + 1)).toMatchObject({ ok: false, code: 'ts_in_future' });
    expect(ev(NOW - 30 * 86_400_000).ok).toBe(true);
    expect(ev(NOW - 30 * 86_400_000 - 1)).toMatchObject({ ok: false, code: 'ts_too_old' });
  });

  it('needs exactly one of thumb or score on conversation.csat, and maps thumbs to scores', () => {
    const ev = (extra: object) => verdict({ ...base, type: 'conversation.csat', ts: NOW, ...extra });
    expect(ev({ thumb: 'up' })).toMatchObject({ ok: true, event: { score: 5 } });
    expect(ev({ thumb: 'down', reason: 'slow' })).toMatchObject({ ok: true, event: { score: 1, reason: 'slow' } });
    expect(ev({ score: 3 })).toMatchObject({ ok: true, event: { score: 3 } });
    expect(ev({})).toMatchObject({ ok: false, code: 'invalid_event' });
    expect(ev({ thumb: 'up', score: 5 })).toMatchObject({ ok: false, code: 'invalid_event' });
    expect(ev({ score: 6 })).toMatchObject({ ok: false, code: 'invalid_event' });
    expect(ev({ score: 2.5 })).toMatchObject({ ok: false, code: 'invalid_event' });
    expect(ev({ score: 1, reason: 'x'.repeat(2001) })).toMatchObject({ ok: false, code: 'invalid_event' });
  });

  it('enforces sizes and enums, naming the field', () => {
    const cases: [object, string][] = [
      [{ ...base, conversation_id: '', type: 'conversation.started', ts: NOW }, 'conversation_id'],
      [{ ...base, conversation_id: 'c'.repeat(129), type: 'conversation.started', ts: NOW }, 'conversation_id'],
      [{ ...base, widget_id: 'w'.repeat(65), type: 'conversation.started', ts: NOW }, 'widget_id'],
      [{ ...base, locale: 'l'.repeat(36), type: 'conversation.started', ts: NOW }, 'locale'],
      [{ ...base, channel: 'c'.repeat(33), type: 'conversation.started', ts: NOW }, 'channel'],
      [{ ...base, event_id: 'not-a-uuid', type: 'conversation.started', ts: NOW }, 'event_id'],
      [{ ...base, type: 'message.feedback', ts: NOW, message_id: 'm', thumb: 'sideways' }, 'thumb'],
      [{ ...base, type: 'message.feedback', ts: NOW, thumb: 'up' }, 'message_id'],
      [{ ...base, type: 'message.created', ts: NOW, message_id: 'm', role: 'bot' }, 'role'],
      [
        { ...base, type: 'message.created', ts: NOW, message_id: 'm', role: 'shopper', text: 't'.repeat(16_001) },
        'text',
      ],
    ];
    for (const [event, field] of cases) {
      const v = verdict(event);
      expect(v.ok, field).toBe(false);
      if (!v.ok) expect(v.message.startsWith(field), v.message).toBe(true);
    }
  });

  it('accepts the largest allowed values and ignores unknown fields', () => {
    const v = verdict({
      ...base,
      conversation_id: 'c'.repeat(128),
      type: 'message.created',
      ts: NOW,
      message_id: 'm'.repeat(128),
      role: 'assistant',
      text: 't'.repeat(16_000),
      surprise: true,
    });
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.event).not.toHaveProperty('surprise');
  });

  it('lets a public key send only widget event types', () => {
    const pub = { ...opts, publicKey: true };
    expect(verdict({ ...base, type: 'message.created', ts: NOW, message_id: 'm', role: 'shopper' }, pub)).toMatchObject(
      {
        ok: false,
        code: 'forbidden_event_type',
      },
    );
    expect(verdict({ ...base, type: 'message.feedback', ts: NOW, message_id: 'm', thumb: 'up' }, pub).ok).toBe(true);
  });

  it('refuses a lone surrogate in every string field of every event type, naming the field', () => {
    const LONE = 'ok\ud800';
    const byType: [object, string[]][] = [
      [{ type: 'conversation.started', channel: 'web' }, ['conversation_id', 'widget_id', 'locale', 'channel']],
      [
        { type: 'message.created', message_id: 'm', role: 'shopper', text: 't' },
        ['conversation_id', 'widget_id', 'locale', 'message_id', 'text'],
      ],
      [
        { type: 'message.feedback', message_id: 'm', thumb: 'up' },
        ['conversation_id', 'widget_id', 'locale', 'message_id'],
      ],
      [{ type: 'conversation.resolved' }, ['conversation_id', 'widget_id', 'locale']],
      [{ type: 'conversation.csat', score: 1, reason: 'r' }, ['conversation_id', 'widget_id', 'locale', 'reason']],
    ];
    for (const [fields, strings] of byType) {
      const valid = { ...base, ts: NOW, widget_id: 'w', locale: 'en', ...fields };
      expect(verdict(valid).ok, JSON.stringify(valid)).toBe(true);
      for (const field of strings) {
        const v = verdict({ ...valid, [field]: LONE });
        expect(v, `${(fields as { type: string }).type} ${field}`).toMatchObject({ ok: false, code: 'invalid_event' });
        if (!v.ok) expect(v.message).toMatch(new RegExp(`^${field}: .*well-formed`));
      }
    }
    // A low surrogate alone, and a high one at the very end, are lone too; a pair is fine.
    expect(verdict({ ...base, type: 'conversation.csat', ts: NOW, score: 1, reason: '\udc00x' }).ok).toBe(false);
    expect(verdict({ ...base, type: 'conversation.csat', ts: NOW, score: 1, reason: 'x\ud83d' }).ok).toBe(false);
    expect(verdict({ ...base, type: 'conversation.csat', ts: NOW, score: 1, reason: 'fits 😀' }).ok).toBe(true);
  });

  describe('sources on message.created (CONTRACT §11)', () => {
    const answer = { ...base, type: 'message.created', ts: NOW, message_id: 'm', role: 'assistant', text: 'Yes.' };
    const source = (i: number) => ({ id: `kb-${i}`, title: `Article ${i}`, url: `https://help.example/${i}` });

    it('keeps up to 20 sources on an assistant message, title and url optional', () => {
      const sources = [...Array.from({ length: 19 }, (_, i) => source(i)), { id: 'i'.repeat(128) }];
      const v = verdict({ ...answer, sources });
      expect(v).toMatchObject({ ok: true, event: { sources } });
      const largest = { id: 'x', title: 't'.repeat(256), url: 'u'.repeat(2048) };
      expect(verdict({ ...answer, sources: [largest] })).toMatchObject({ ok: true, event: { sources: [largest] } });
      expect(verdict(answer)).toMatchObject({ ok: true });
      if (v.ok) expect(v.event).toMatchObject({ role: 'assistant' });
    });

    it('rejects bad sources naming the field', () => {
      const cases: [unknown, string][] = [
        [Array.from({ length: 21 }, (_, i) => source(i)), 'sources'],
        ['kb-1', 'sources'],
        [[{ title: 'no id' }], 'sources.0.id'],
        [[source(0), { id: '' }], 'sources.1.id'],
        [[{ id: 'i'.repeat(129) }], 'sources.0.id'],
        [[{ id: 'a', title: 't'.repeat(257) }], 'sources.0.title'],
        [[{ id: 'a', url: 'u'.repeat(2049) }], 'sources.0.url'],
        [[{ id: 7 }], 'sources.0.id'],
        [[{ id: 'a', title: 'ok\ud800' }], 'sources.0.title'],
      ];
      for (const [sources, field] of cases) {
        const v = verdict({ ...answer, sources });
        expect(v, field).toMatchObject({ ok: false, code: 'invalid_event' });
        if (!v.ok) expect(v.message, field).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
      }
    });

    it('rejects sources on shopper and agent messages', () => {
      for (const role of ['shopper', 'agent']) {
        const v = verdict({ ...answer, role, sources: [source(1)] });
        expect(v, role).toEqual({
          ok: false,
          code: 'invalid_event',
          message: 'sources: only assistant messages may carry sources',
        });
      }
    });
  });

  it('lowercases event_id: a UUID in upper case is the same event', () => {
    const v = verdict({ ...base, event_id: base.event_id.toUpperCase(), type: 'conversation.resolved', ts: NOW });
    expect(v).toMatchObject({ ok: true, event: { event_id: base.event_id } });
  });
});
