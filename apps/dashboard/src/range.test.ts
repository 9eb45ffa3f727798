import { describe, expect, it } from 'vitest';
import { resolveRange } from './range.ts';

describe('date range', () => {
  const now = Date.parse('2026-11-24T20:00:00Z');

  it('resolves presets to local days of the zone, today included', () => {
    expect(resolveRange({ preset: 'today', from: '', to: '', tz: 'UTC' }, now)).toEqual({
      from: '2026-11-24',
      to: '2026-11-24',
      tz: 'UTC',
    });
    // 20:00 UTC is already the 25th in Lord Howe (UTC+11).
    expect(resolveRange({ preset: '7', from: '', to: '', tz: 'Australia/Lord_Howe' }, now)).toEqual({
      from: '2026-11-19',
      to: '2026-11-25',
      tz: 'Australia/Lord_Howe',
    });
    expect(resolveRange({ preset: '90', from: '', to: '', tz: 'UTC' }, now)).toMatchObject({ from: '2026-08-27' });
  });

  it('checks custom ranges', () => {
    expect(resolveRange({ preset: 'custom', from: '2026-11-02', to: '2026-11-01', tz: 'UTC' })).toHaveProperty('error');
    expect(resolveRange({ preset: 'custom', from: '2025-01-01', to: '2026-11-01', tz: 'UTC' })).toHaveProperty('error');
    expect(resolveRange({ preset: 'custom', from: '2026-11-01', to: '2026-11-01', tz: 'UTC' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-01',
      tz: 'UTC',
    });
  });
});
