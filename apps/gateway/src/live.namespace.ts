import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '@thumbline/core';
import type { LiveSocketData } from './credential-sweep.ts';
import {
  deltasSince,
  hashToken,
  isTokenShaped,
  liveSeq,
  type CredentialStore,
  type Keys,
  type RedisClient,
} from '@thumbline/redis';

export interface LiveNamespaceDeps {
  /** Non-blocking connection for auth and catch-up reads. */
  redis: RedisClient;
  keys: Keys;
  store: CredentialStore;
  log: Logger;
}

/** Room of a workspace's dashboards. */
export const room = (workspaceId: string) => `ws:${workspaceId}`;

/** `{ seq, ...body }` without re-serialising per socket. */
export function deltaPayload(seq: number, body: string): Record<string, unknown> {
  return { seq, ...(JSON.parse(body) as Record<string, unknown>) };
}

/**
 * `/live` (docs/adr/0006-live-deltas.md): a dashboard token in `auth.token` puts the socket in its
 * workspace's room; `auth.last_seq` replays the deltas it missed, in order, or sends
 * `resync` when they are no longer kept. The socket joins its room before the replay,
 * so a delta published meanwhile may arrive twice or ahead of the replay; clients apply
 * by seq (skip what they have, hold what comes early), which is what makes them converge.
 * The token is checked again while the socket is open (credential-sweep.ts).
 */
export function setupLiveNamespace(nsp: Namespace, deps: LiveNamespaceDeps): void {
  nsp.use(async (socket, next) => {
    try {
      const token: unknown = socket.handshake.auth?.token;
      if (!isTokenShaped(token)) return next(new Error('unauthorized'));
      const cred = await deps.store.resolve(token);
      if (!cred || cred.kind !== 'dashboard') return next(new Error('unauthorized'));
      // The hash (never the token) lets the credential sweep re-check this socket later.
      const data: LiveSocketData = { workspaceId: cred.workspace_id, tokenHash: hashToken(token) };
      Object.assign(socket.data as object, data);
      next();
    } catch (err) {
      deps.log.warn({ err }, 'live: auth lookup failed');
      next(new Error('unavailable'));
    }
  });

  nsp.on('connection', (socket: Socket) => {
    const ws = socket.data.workspaceId as string;
    void socket.join(room(ws));
    void catchUp(socket, ws).catch((err: unknown) => {
      deps.log.warn({ err }, 'live: catch-up failed; asking the client to refetch');
      socket.emit('resync', { seq: null });
    });
  });

  async function catchUp(socket: Socket, ws: string): Promise<void> {
    const raw: unknown = socket.handshake.auth?.last_seq;
    const lastSeq = typeof raw === 'number' ? raw : typeof raw === 'string' && raw !== '' ? Number(raw) : NaN;
    if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) {
      socket.emit('hello', { seq: await liveSeq(deps.redis, deps.keys, ws) });
      return;
    }
    const missed = await deltasSince(deps.redis, deps.keys, ws, lastSeq);
    if (missed === null) {
      socket.emit('resync', { seq: await liveSeq(deps.redis, deps.keys, ws) });
      return;
    }
    for (const d of missed) socket.emit('delta', deltaPayload(d.seq, d.body));
    socket.emit('hello', { seq: missed.at(-1)?.seq ?? lastSeq });
  }
}
