import { describe, expect, it } from 'vitest';
import { csvField, exportHead, exportRow, neutraliseFormulas } from './conversation-export.ts';

describe('export rows', () => {
  it('quotes every field, doubling quotes (RFC 4180); null is an empty field', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('')).toBe('""');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('"3"');
  });

  it.each([
    ['=1+2', "'=1+2"],
    ['+49 30 1234', "'+49 30 1234"],
    ['-x', "'-x"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t'=1"],
    ['\rx', "'\rx"],
    // Full-width and small forms, judged by what they look like.
    ['＝1', "'＝1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠x', "'＠x"],
    ['﹦1', "'﹦1"],
    // Hidden behind what a spreadsheet skips.
    [' =1', "' =1"],
    ['\u00a0=1', "'\u00a0=1"],
    ['\u200b=1', "'\u200b=1"],
    ['\v=1', "'\v=1"],
    ['\ufeff+1', "'\ufeff+1"],
    ['"=1', `'"=1`],
    // After a separator of either kind, or a line break, inside the value.
    ['w;=1', "w;'=1"],
    ['a,+1', "a,'+1"],
    ['ok; @x', "ok;' @x"],
    ['x\n=1', "x\n'=1"],
    ['y;"=1', `y;'"=1`],
    ['=a;=b', "'=a;'=b"],
  ])('neutralises %j as %j', (value, expected) => {
    expect(neutraliseFormulas(value)).toBe(expected);
  });

  it.each(['a=1', 'plain text', '1-2', 'me@example.com', 'x; y', 'de-DE', '2026-11-24T03:00:00.000Z', '−1'])(
    'leaves %j alone',
    (value) => {
      expect(neutraliseFormulas(value)).toBe(value);
    },
  );

  it('writes the header and CRLF records in the contract order; NDJSON keeps nulls', () => {
    const s = {
      conversation_id: 'c,1',
      started_at: '2026-11-20T10:00:00.000Z',
      satisfaction: 'negative' as const,
      score: 1,
      negative_reason: 'Wrong size\nadvice',
      thumbs_up: 0,
      thumbs_down: 2,
      version: 3,
      widget_id: null,
      locale: 'de-DE',
    };
    expect(exportHead('csv')).toBe(
      'conversation_id,started_at,satisfaction,score,negative_reason,thumbs_up,thumbs_down,widget_id,locale\r\n',
    );
    expect(exportRow('csv', s)).toBe(
      '"c,1","2026-11-20T10:00:00.000Z","negative","1","Wrong size\nadvice","0","2",,"de-DE"\r\n',
    );
    expect(exportHead('ndjson')).toBe('');
    expect(JSON.parse(exportRow('ndjson', s))).toEqual({
      conversation_id: 'c,1',
      started_at: '2026-11-20T10:00:00.000Z',
      satisfaction: 'negative',
      score: 1,
      negative_reason: 'Wrong size\nadvice',
      thumbs_up: 0,
      thumbs_down: 2,
      widget_id: null,
      locale: 'de-DE',
    });
  });
});
