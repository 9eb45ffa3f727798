import { describe, expect, it } from 'vitest';
import { searchWithSegment, segmentFromSearch } from './segment.ts';

describe('segment in the query string', () => {
  it('reads widget_id and locale, ignoring what the API would refuse', () => {
    expect(segmentFromSearch('?widget_id=bubble-de&locale=de')).toEqual({ widget_id: 'bubble-de', locale: 'de' });
    expect(segmentFromSearch('')).toEqual({});
    expect(segmentFromSearch('?widget_id=&locale=de_DE')).toEqual({});
    expect(segmentFromSearch(`?widget_id=${'w'.repeat(65)}&locale=fr-FR`)).toEqual({ locale: 'fr-FR' });
  });

  it('writes the segment and keeps other parameters', () => {
    expect(searchWithSegment('?x=1&locale=fr', { widget_id: 'a b', locale: 'de' })).toBe(
      '?x=1&widget_id=a+b&locale=de',
    );
    expect(searchWithSegment('?widget_id=a&locale=de', {})).toBe('');
    const round = searchWithSegment('', { widget_id: 'bubble-fr&x', locale: 'es-ES' });
    expect(segmentFromSearch(round)).toEqual({ widget_id: 'bubble-fr&x', locale: 'es-ES' });
  });
});
