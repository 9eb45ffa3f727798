import { describe, expect, it } from 'vitest';
import { answeredGaps, answerRate, gapVerdict, type AnsweredQuestion } from './knowledge-gap-answers.ts';
import type { KnowledgeGap } from './knowledge-gap-groups.ts';
import { questionKey } from './question-key.ts';

const gap = (id: string, question: string, thumbs_down: number): KnowledgeGap => ({
  id,
  question,
  examples: [question],
  thumbs_down,
  conversations: thumbs_down,
  last_seen: 1,
  sources: [],
  keys: [questionKey(question)],
  by_day: {},
});
const rows = (question: string, answers: number, down: number, before: [number, number]): AnsweredQuestion => ({
  question,
  locale: 'en',
  answers,
  thumbs_down: down,
  last_answer: 100,
  before: [{ answers: before[0], thumbs_down: before[1] }],
  downs: Array.from({ length: down }, (_, i) => ({ conversation_id: `c${i}`, at: i < before[1] ? 10 : 60 })),
});

describe('answerRate and gapVerdict', () => {
  it('gives the share and its 95 % Wilson interval, null rate without answers', () => {
    expect(answerRate(10, 8)).toMatchObject({ rate: 0.8, low: 0.4902, high: 0.9433 });
    expect(answerRate(0, 0)).toEqual({ answers: 0, thumbs_down: 0, rate: null, low: 0, high: 1 });
  });

  it('is fixed only when the intervals part, not_fixed when after is as bad, else unclear', () => {
    expect(gapVerdict(answerRate(10, 8), answerRate(10, 1))).toBe('fixed');
    expect(gapVerdict(answerRate(10, 8), answerRate(10, 8))).toBe('not_fixed');
    expect(gapVerdict(answerRate(10, 8), answerRate(2, 0))).toBe('unclear');
    expect(gapVerdict(answerRate(10, 8), answerRate(0, 0))).toBe('unclear');
    // Nothing before `at` in the window: [0, 1] would read not_fixed by the bounds alone.
    expect(gapVerdict(answerRate(0, 0), answerRate(10, 8))).toBe('unclear');
  });
});

describe('answeredGaps', () => {
  it('applies a mark to its gap by id or by a shared key, and rebuilds a marked gap from its answers', () => {
    const gaps = [gap('a1', 'Do you ship to Canada?', 5), gap('b1', 'Can I pay with Klarna?', 3)];
    const marks = [
      { gap_id: 'old-id', at: 50, source_id: '', keys: [questionKey('do you deliver to canada')] },
      { gap_id: 'c1', at: 50, source_id: 'kb', keys: [questionKey('Is it waterproof?')] },
    ];
    const answers = [
      rows('Do you ship to Canada?', 10, 5, [6, 4]),
      rows('Is it waterproof?', 4, 3, [2, 2]),
      rows('Can I pay with Klarna?', 9, 3, [9, 3]),
    ];
    const out = answeredGaps(gaps, marks, answers, [50]);
    expect(out.map((g) => [g.id, g.answered?.verdict ?? null])).toEqual([
      ['old-id', 'unclear'],
      ['c1', 'unclear'], // 3 thumbs-down as b1, seen later
      ['b1', null],
    ]);
    expect(out[0]?.answered).toMatchObject({
      before: { answers: 6, thumbs_down: 4 },
      after: { answers: 4, thumbs_down: 1 },
    });
    expect(out[1]).toMatchObject({ question: 'Is it waterproof?', thumbs_down: 3, conversations: 3, sources: [] });
    // A mark whose questions were not answered in the window lists nothing.
    expect(answeredGaps([], marks, [], [50])).toEqual([]);
  });

  it('says a gap came back when ≥ 2 thumbs-down in ≥ 2 conversations follow and it is not fixed', () => {
    const marks = [{ gap_id: 'a1', at: 50, source_id: '', keys: [questionKey('Do you ship to Canada?')] }];
    const back = answeredGaps(
      [gap('a1', 'Do you ship to Canada?', 6)],
      marks,
      [rows('Do you ship to Canada?', 6, 6, [3, 3])],
      [50],
    );
    expect(back[0]?.answered).toMatchObject({ verdict: 'not_fixed', returned: true });
    const once = answeredGaps(
      [gap('a1', 'Do you ship to Canada?', 4)],
      marks,
      [rows('Do you ship to Canada?', 6, 4, [3, 3])],
      [50],
    );
    expect(once[0]?.answered?.returned).toBe(false);
  });
});
