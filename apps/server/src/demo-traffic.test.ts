import { describe, expect, it } from 'vitest';
import { validateEvent } from '@thumbline/events';
import { seeded } from '../../../tests/support/seeded.ts';
import { planConversation } from './demo-traffic.ts';

describe('demo conversations', () => {
  const plans = Array.from({ length: 400 }, (_, i) => planConversation(seeded(i)));
  const events = plans.flatMap((p) => p.events.map((e) => e.body));

  it('spread over several widgets and the four demo locales', () => {
    expect(new Set(events.map((e) => e.widget_id)).size).toBeGreaterThanOrEqual(2);
    expect([...new Set(events.map((e) => e.locale))].sort()).toEqual(['de-DE', 'en-US', 'es-ES', 'fr-FR']);
  });

  it('show the rating prompt before every rating, and not every prompt is answered', () => {
    let prompted = 0;
    let rated = 0;
    for (const p of plans) {
      const types = p.events.map((e) => e.body.type);
      const prompt = types.indexOf('conversation.csat_prompted');
      const rating = types.indexOf('conversation.csat');
      if (prompt >= 0) prompted++;
      if (rating >= 0) {
        rated++;
        expect(prompt).toBeGreaterThanOrEqual(0);
        expect(rating).toBeGreaterThan(prompt);
      }
    }
    expect(rated / prompted).toBeGreaterThan(0.5);
    expect(rated / prompted).toBeLessThan(0.9);
  });

  it('cite help-center articles on topic answers, and every event passes validation', () => {
    const answers = events.filter((e) => e.type === 'message.created' && e.role === 'assistant');
    const cited = answers.flatMap((e) => (e.type === 'message.created' ? (e.sources ?? []) : []));
    expect(cited.length).toBeGreaterThan(answers.length / 2);
    expect(new Set(cited.map((s) => s.id)).size).toBeGreaterThanOrEqual(5);
    for (const s of cited) expect(s.url).toMatch(/^https:\/\/help\.example\.com\/articles\//);
    const now = Date.now();
    for (const e of events) {
      const v = validateEvent({ ...e, ts: now }, { now, maxEventAgeDays: 30, publicKey: false });
      expect(v.ok, JSON.stringify(v)).toBe(true);
    }
  });

  it('answer Canada well once the team fixed it 14 days ago, and thumb it down much less', () => {
    const canada = (daysAgo: number) => {
      const plans = Array.from({ length: 600 }, (_, i) => planConversation(seeded(i), 1, daysAgo));
      let answers = 0;
      let downs = 0;
      const cited = new Set<string>();
      for (const p of plans) {
        const asked = new Set<string>();
        let question = '';
        for (const { body } of p.events) {
          if (body.type !== 'message.created') continue;
          if (body.role === 'shopper') question = body.text ?? '';
          if (body.role !== 'assistant' || !/canad|kanad/i.test(question)) continue;
          answers++;
          asked.add(body.message_id);
          for (const s of body.sources ?? []) cited.add(s.id);
        }
        const last = new Map<string, string>();
        for (const { body } of p.events) if (body.type === 'message.feedback') last.set(body.message_id, body.thumb);
        for (const id of asked) if (last.get(id) === 'down') downs++;
      }
      return { rate: downs / answers, cited: [...cited] };
    };
    const before = canada(20);
    const after = canada(2);
    expect(before.cited).toEqual(['shipping-destinations']);
    expect(after.cited).toEqual(['shipping-to-canada']);
    expect(after.rate).toBeLessThan(before.rate / 4);
  });
});
