import { describe, expect, it } from 'vitest';
import { formatSignedCount, periodChange } from './format.ts';

const MINUS = '\u2212';

describe('vs previous period', () => {
  it.each([
    // current, previous, direction, text
    [12, 10, 'up', '▲ +2 (20%) vs previous period'],
    [5, 10, 'down', `▼ ${MINUS}5 (50%) vs previous period`],
    [20, 10, 'up', '▲ +10 (100%) vs previous period'],
    [95, 10, 'up', '▲ +85 (850%) vs previous period'],
    // Tiny bases: the ratio, not "+26100%", and the count that moved.
    [262, 1, 'up', '▲ +261 (262×) vs previous period'],
    [10, 1, 'up', '▲ +9 (10×) vs previous period'],
    [25, 2, 'up', '▲ +23 (12.5×) vs previous period'],
    [3, 0, 'new', '▲ +3 (new) vs previous period'],
    [0, 0, 'flat', '– No change vs previous period'],
    [7, 7, 'flat', '– No change vs previous period'],
    // Rounding never hides a change nor claims all of it is gone.
    [1001, 1000, 'up', '▲ +1 (<1%) vs previous period'],
    [1, 1000, 'down', `▼ ${MINUS}999 (>99%) vs previous period`],
    [0, 4, 'down', `▼ ${MINUS}4 (100%) vs previous period`],
  ] as const)('%i after %i: %s %s', (current, previous, direction, text) => {
    expect(periodChange(current, previous)).toMatchObject({ direction, text });
  });

  it('gives the change alone for the badge to keep on one line', () => {
    expect(periodChange(262, 1).value).toBe('▲ +261 (262×)');
  });

  it('groups large numbers the way the rest of the dashboard does', () => {
    const text = periodChange(123_456, 2).text;
    expect(text).toBe(`▲ +${(123_454).toLocaleString()} (${(61_728).toLocaleString()}×) vs previous period`);
    expect(formatSignedCount(-1204)).toBe(`${MINUS}${(1204).toLocaleString()}`);
  });
});
