import { describe, expect, it } from 'vitest';
import { citations } from './source-citations.ts';

describe('citations', () => {
  it.each([
    ['none', undefined, []],
    ['empty', [], []],
    ['absent title and url', [{ id: 'a' }], [{ id: 'a', title: '', url: '' }]],
    [
      'order kept, a repeated id once with its first title',
      [
        { id: 'b', title: 'B' },
        { id: 'a', url: 'u' },
        { id: 'b', title: 'B2', url: 'x' },
      ],
      [
        { id: 'b', title: 'B', url: '' },
        { id: 'a', title: '', url: 'u' },
      ],
    ],
  ])('%s', (_name, sources, expected) => {
    expect(citations(sources)).toEqual(expected);
  });
});
