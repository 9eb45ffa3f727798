import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '@thumbline/core';
import type { Credential, CredentialKind, CredentialStore } from '@thumbline/redis';

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export type AuthVariables = { credential: Credential };

/**
 * Requires a bearer token of one of `kinds`; puts the credential in `c.var.credential`.
 * A token of another kind is as good as none: 401.
 */
export function requireToken(
  store: CredentialStore,
  kinds: readonly CredentialKind[],
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const token = bearerToken(c);
    const cred = token ? await store.resolve(token) : null;
    if (!cred || !kinds.includes(cred.kind)) {
      throw new AppError('unauthorized', 401, `a valid ${kinds.join(' or ')} token is required`);
    }
    c.set('credential', cred);
    await next();
  };
}
