import { describe, expect, it } from 'vitest';
import { GAP_SOURCES, groupQuestions, type AskedQuestion } from './knowledge-gap-groups.ts';

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

  it('takes a one-letter slip or a form the stemmer missed for a typo, but not another place name', () => {
    const pair = (a: string, b: string, locale: string) =>
      groupQuestions([asked(a, 'c1', locale), asked(b, 'c2', locale)], OPTIONS).length === 1;
    expect(pair('Do you ship to Canada?', 'Do you shipp to Canada?', 'en')).toBe(true);
    expect(pair('La chaussure taille grand ?', 'Les chaussures taillent grand ?', 'fr')).toBe(true);
    expect(pair('Liefert ihr in die Schweiz?', 'Liefert ihr nach Schweden?', 'de')).toBe(false);
    expect(pair('Do you ship to Austria?', 'Do you ship to Australia?', 'en')).toBe(false);
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

  it("tallies the sources of the group's answers: most thumbs-down first, title from the latest citation", () => {
    const cite = (source_id: string, answer: string, answered_at: number, title = '') => ({
      source_id,
      title,
      url: '',
      answer,
      answered_at,
    });
    const rows = [
      // Rows come latest thumb-down first; the latest *citation* may be in any row.
      {
        ...asked('Do you ship to Canada?', 'c1'),
        citations: [cite('kb-ship', 'a1', 100, 'Old'), cite('kb-ca', 'a1', 100)],
      },
      { ...asked('do you ship to canada', 'c2'), citations: [cite('kb-ship', 'a2', 300, 'Newest')] },
      { ...asked('ship to canada?', 'c3'), citations: [cite('kb-ship', 'a3', 200, 'Middle'), cite('kb-b', 'a3', 200)] },
    ];
    const [gap] = groupQuestions(rows, OPTIONS);
    expect(gap?.sources).toEqual([
      { source_id: 'kb-ship', title: 'Newest', url: '', thumbs_down: 3 },
      { source_id: 'kb-b', title: '', url: '', thumbs_down: 1 },
      { source_id: 'kb-ca', title: '', url: '', thumbs_down: 1 },
    ]);
    // Equal times: the greater answer id names it, whatever the row order.
    const tie = [
      { ...asked('Do you ship to Canada?', 'c1'), citations: [cite('kb-ship', 'a9', 100, 'Nine')] },
      { ...asked('Do you ship to Canada?', 'c2'), citations: [cite('kb-ship', 'a1', 100, 'One')] },
    ];
    expect(groupQuestions(tie, OPTIONS)[0]?.sources[0]?.title).toBe('Nine');
    expect(groupQuestions([...tie].reverse(), OPTIONS)[0]?.sources[0]?.title).toBe('Nine');
    // At most GAP_SOURCES; none when the answers cited nothing.
    const many = Array.from({ length: 12 }, (_, i) => cite(`kb-${String(i).padStart(2, '0')}`, 'a', 1));
    const wide = groupQuestions(
      [{ ...asked('Return policy?', 'c1'), citations: many }, asked('Return policy', 'c2')],
      OPTIONS,
    );
    expect(wide[0]?.sources.map((s) => s.source_id)).toEqual(many.slice(0, GAP_SOURCES).map((c) => c.source_id));
    expect(groupQuestions([asked('Return policy?', 'c1'), asked('Return policy', 'c2')], OPTIONS)[0]?.sources).toEqual(
      [],
    );
  });
});
