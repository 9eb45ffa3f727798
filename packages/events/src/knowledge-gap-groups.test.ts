import { describe, expect, it } from 'vitest';
import { groupQuestions, type AskedQuestion } from './knowledge-gap-groups.ts';

const OPTIONS = { similarity: 0.2, candidates: 2000, limit: 100 };
let t = 0;
const asked = (question: string, conversation_id: string, locale = '', thumbs_down = 1): AskedQuestion => ({
  question,
  locale,
  conversation_id,
  thumbs_down,
  last_seen: ++t,
});

describe('groupQuestions', () => {
  it('groups rewordings, the most frequent wording first, and keeps the id as new wordings join', () => {
    const first = [asked('Does this run true to size?', 'c1', 'en', 2), asked('does it run true to size', 'c2')];
    const [gap] = groupQuestions(first, OPTIONS);
    expect(gap).toMatchObject({
      question: 'Does this run true to size?',
      examples: ['Does this run true to size?', 'does it run true to size'],
      thumbs_down: 3,
      conversations: 2,
    });
    const more = [...first, asked('True to size, does it run?', 'c3', 'en-GB', 5), asked('Does this run small?', 'c4')];
    const [grown, ...rest] = groupQuestions(more, OPTIONS);
    expect(grown).toMatchObject({
      id: gap?.id,
      question: 'True to size, does it run?',
      thumbs_down: 8,
      conversations: 3,
    });
    expect(rest).toEqual([]);
  });

  it('counts conversations once across wordings and shows groups with ≥ 2 thumbs-down in ≥ 2 conversations', () => {
    const rows = [asked('What is your return policy?', 'c1'), asked('return policy', 'c1')];
    expect(groupQuestions(rows, OPTIONS)).toEqual([]);
    expect(groupQuestions([...rows, asked('Return policy?', 'c2')], OPTIONS)).toMatchObject([
      { thumbs_down: 3, conversations: 2 },
    ]);
  });

  it('stems each question in its conversation language', () => {
    const rows = [asked('Sind die Schuhe wasserdicht?', 'c1', 'de-DE'), asked('Ist der Schuh wasserdicht', 'c2', 'de')];
    expect(groupQuestions(rows, OPTIONS)).toHaveLength(1);
    const asEnglish = rows.map((r) => ({ ...r, locale: '' }));
    expect(groupQuestions(asEnglish, OPTIONS)).toEqual([]);
  });

  it('joins a typo to the most thumbed-down key, but not other numbers, extra words or other countries', () => {
    const rows = [
      asked('Do you ship to Canada?', 'c1', 'en', 3),
      asked('do you shipp to canada', 'c2'),
      asked('Do you ship to Cuba?', 'c3'),
      asked('Do you ship to Cuba', 'c4'),
      asked('Is size 38 in stock?', 'c5'),
      asked('Is size 39 in stock?', 'c6'),
      asked('Is size 38 in stock', 'c7'),
      asked('Is size 39 in stock', 'c8'),
    ];
    const gaps = groupQuestions(rows, OPTIONS);
    expect(gaps.map((g) => [g.question, g.thumbs_down])).toEqual([
      ['Do you ship to Canada?', 4],
      ['Is size 39 in stock', 2],
      ['Is size 38 in stock', 2],
      ['Do you ship to Cuba', 2],
    ]);
    // Only the candidates are compared: with one, the typo stays apart and Canada has one conversation.
    const few = groupQuestions(rows, { ...OPTIONS, candidates: 1 });
    expect(few.flatMap((g) => g.examples)).not.toContain('Do you ship to Canada?');
  });

  it('orders by thumbs-down, then the latest, and returns at most `limit`', () => {
    const rows = ['a', 'b', 'c'].flatMap((x, i) =>
      Array.from({ length: 2 + (i === 0 ? 1 : 0) }, (_, n) => asked(`question ${x}${x}${x}${x}`, `${x}${n}`)),
    );
    expect(groupQuestions(rows, OPTIONS).map((g) => g.question)).toEqual([
      'question aaaa',
      'question cccc',
      'question bbbb',
    ]);
    expect(groupQuestions(rows, { ...OPTIONS, limit: 1 })).toHaveLength(1);
  });
});
