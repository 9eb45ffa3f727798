import { io, type Socket } from 'socket.io-client';
import type { LiveClosed, LiveCloseReason, LiveDelta, LiveReview } from '@thumbline/events';

export interface LiveOptions {
  /** Base URL of Thumbline (the gateway shares the API's origin under npm start). */
  url: string;
  token: string;
  /** The last seq the client holds; sent on every (re)connection to get what it missed. */
  lastSeq: () => number | undefined;
  onDelta: (delta: LiveDelta) => void;
  /**
   * A review was set or cleared (CONTRACT §12). Review events carry no seq and are not replayed
   * after a reconnection: refetch what shows reviews on `onResync` and on reconnecting.
   */
  onReview?: (review: LiveReview) => void;
  /** The missed deltas are gone: refetch the snapshot. */
  onResync: () => void;
  /** The token was refused. */
  onUnauthorized?: () => void;
  /**
   * The server closed a connected socket for a reason (`token_revoked`); the client does not
   * reconnect, since the same token would be refused.
   */
  onClosed?: (reason: LiveCloseReason) => void;
  /** Socket.IO client options. */
  socketOptions?: Record<string, unknown>;
}

export interface LiveConnection {
  socket: Socket;
  close(): void;
}

/** Connects to `/live` (docs/adr/0006-live-deltas.md); reconnects by itself, resuming from `lastSeq()`. */
export function connectLive(options: LiveOptions): LiveConnection {
  const socket = io(`${options.url.replace(/\/$/, '')}/live`, {
    path: '/socket.io/',
    // WebSocket from the start: long-polling needs sticky sessions, so a gateway scaled
    // behind a round-robin proxy would break the handshake.
    transports: ['websocket'],
    auth: (cb: (data: object) => void) => {
      const last = options.lastSeq();
      cb(last === undefined ? { token: options.token } : { token: options.token, last_seq: last });
    },
    ...options.socketOptions,
  });
  socket.on('delta', (d: LiveDelta) => options.onDelta(d));
  socket.on('review', (r: LiveReview) => options.onReview?.(r));
  socket.on('resync', () => options.onResync());
  socket.on('closed', (payload: LiveClosed | undefined) => {
    // The server disconnects right after this; stop socket.io from trying again.
    socket.disconnect();
    options.onClosed?.(payload?.reason ?? 'token_revoked');
  });
  socket.on('connect_error', (err: Error) => {
    if (err.message === 'unauthorized') {
      socket.disconnect();
      options.onUnauthorized?.();
    }
  });
  return { socket, close: () => socket.disconnect() };
}
