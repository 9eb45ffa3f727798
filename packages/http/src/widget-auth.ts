import type { Context, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { AppError } from '@thumbline/core';
import { originAllowed, type Credential, type CredentialStore } from '@thumbline/redis';
import { bearerToken } from './auth.ts';

/**
 * Answers CORS preflight for endpoints browsers call (ingest, widget config). On the
 * request itself `allowOrigin` sets the headers: a middleware that edits the finished
 * response costs ~4x throughput on @hono/node-server.
 */
export const preflight: MiddlewareHandler = cors({
  origin: (origin) => origin,
  allowMethods: ['GET', 'POST'],
  allowHeaders: ['Authorization', 'Content-Type'],
  maxAge: 86400,
});

/** Lets the calling page read the answer (errors included); returns its Origin. */
export function allowOrigin(c: Context): string | undefined {
  const origin = c.req.header('origin');
  if (origin) {
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Vary', 'Origin');
  }
  return origin;
}

/**
 * Authenticates a widget or chat backend: `Authorization: Bearer <public|secret key>`, or
 * `?key=<public key>` (navigator.sendBeacon cannot set headers; secret keys never go in
 * URLs). A public key used from a browser must come from one of the workspace's origins.
 */
export async function authenticateWidget(
  store: CredentialStore,
  c: Context,
  origin: string | undefined,
): Promise<Credential> {
  const header = bearerToken(c);
  const token = header ?? c.req.query('key');
  const cred = token ? await store.resolve(token) : null;
  if (!cred || (cred.kind !== 'public' && cred.kind !== 'secret')) {
    throw new AppError('unauthorized', 401, 'a valid public or secret key is required');
  }
  if (!header && cred.kind !== 'public') {
    throw new AppError(
      'unauthorized',
      401,
      'only a public key may be sent as ?key=; send secret keys in the Authorization header',
    );
  }
  if (cred.kind === 'public' && origin) {
    const ws = await store.workspace(cred.workspace_id);
    if (!ws || !originAllowed(origin, ws.allowed_origins)) {
      throw new AppError('origin_not_allowed', 403, `origin ${origin} may not use this public key`);
    }
  }
  return cred;
}
