import { describe, expect, it } from 'vitest';
import { newEventId } from './ids.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('uses crypto.randomUUID when there is one', () => {
    expect(newEventId({ randomUUID: () => '00000000-0000-4000-8000-000000000000' })).toBe(
      '00000000-0000-4000-8000-000000000000',
    );
    expect(newEventId()).toMatch(UUID_V4);
  });

  it('falls back to crypto.getRandomValues (insecure contexts have no randomUUID)', () => {
    const source = { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) };
    const ids = Array.from({ length: 2000 }, () => newEventId(source));
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sets the version and variant bits whatever the random bytes', () => {
    const ones = {
      getRandomValues: <T extends ArrayBufferView | null>(a: T) => (new Uint8Array(a!.buffer).fill(255), a),
    };
    expect(newEventId(ones as Pick<Crypto, 'getRandomValues'>)).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(newEventId(undefined)).toMatch(UUID_V4); // Math.random, last resort
  });
});
