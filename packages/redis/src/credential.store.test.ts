import { describe, expect, it } from 'vitest';
import { isTokenShaped, newToken, type CredentialKind } from './credential.store.ts';

describe('isTokenShaped', () => {
  it('accepts every token newToken makes', () => {
    for (const kind of ['public', 'secret', 'dashboard', 'admin'] as CredentialKind[]) {
      for (let i = 0; i < 200; i++) expect(isTokenShaped(newToken(kind))).toBe(true);
    }
  });

  it('refuses anything else before it is hashed or looked up', () => {
    const good = newToken('dashboard');
    for (const junk of [
      undefined,
      null,
      42,
      { token: good },
      '',
      'dt_nope',
      `${good}x`,
      good.slice(0, -1),
      `xx${good.slice(2)}`,
      `${good.slice(0, -1)}=`,
      `${good.slice(0, -1)}\n`,
      `dt_${'a'.repeat(900_000)}`,
    ]) {
      expect(isTokenShaped(junk)).toBe(false);
    }
  });
});
