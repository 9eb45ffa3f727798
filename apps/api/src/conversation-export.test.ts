import { describe, expect, it } from 'vitest';
import { csvField, exportHead, exportRow } from './conversation-export.ts';

describe('export rows', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
  });

  it('neutralises text that a spreadsheet would run as a formula', () => {
    expect(csvField('=1+2')).toBe("'=1+2");
    expect(csvField('+49 30 1234')).toBe("'+49 30 1234");
    expect(csvField('-x')).toBe("'-x");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    expect(csvField('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvField('a=1')).toBe('a=1');
  });

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
    expect(exportRow('csv', s)).toBe('"c,1",2026-11-20T10:00:00.000Z,negative,1,"Wrong size\nadvice",0,2,,de-DE\r\n');
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
