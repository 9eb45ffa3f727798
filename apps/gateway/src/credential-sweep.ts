import type { Namespace, Socket } from 'socket.io';
import type { Logger } from '@thumbline/core';
import type { LiveClosed } from '@thumbline/events';
import type { CredentialStore } from '@thumbline/redis';

/**
 * How often a gateway re-checks the tokens of its open sockets. A token is checked once when
 * the socket connects; a socket then lives for hours, so without this a revoked token kept
 * streaming. 2 s plus one Redis round trip keeps a revocation under the 5 s docs/security.md
 * promises, whatever the credential cache holds.
 */
export const CREDENTIAL_SWEEP_MS = 2000;

/** What a `/live` socket was let in with (set by the namespace's auth middleware). */
export interface LiveSocketData {
  workspaceId: string;
  /** SHA-256 of the dashboard token, never the token itself. */
  tokenHash: string;
}

export interface CredentialSweep {
  stop(): void;
}

/**
 * One periodic sweep per process over the connected sockets' token hashes: a single HMGET for
 * all distinct hashes (however many sockets share one token), never a timer or a lookup per
 * socket. A socket whose token is gone, or now names another workspace or kind, gets `closed`
 * with its reason and is disconnected. When Redis does not answer, sockets stay: a Redis hiccup
 * must not drop every dashboard, and the next sweep decides.
 */
export function startCredentialSweep(
  nsp: Namespace,
  deps: { store: CredentialStore; log: Logger },
  intervalMs = CREDENTIAL_SWEEP_MS,
): CredentialSweep {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function sweep(): Promise<void> {
    const byHash = new Map<string, Socket[]>();
    for (const socket of nsp.sockets.values()) {
      const hash = (socket.data as Partial<LiveSocketData>).tokenHash;
      if (!hash) continue;
      const list = byHash.get(hash);
      if (list) list.push(socket);
      else byHash.set(hash, [socket]);
    }
    if (byHash.size === 0) return;
    let registered: Awaited<ReturnType<CredentialStore['registered']>>;
    try {
      registered = await deps.store.registered([...byHash.keys()]);
    } catch (err) {
      deps.log.warn({ err }, 'live: credential sweep failed; sockets kept until the next one');
      return;
    }
    const closed: LiveClosed = { reason: 'token_revoked' };
    for (const [hash, sockets] of byHash) {
      const cred = registered.get(hash);
      for (const socket of sockets) {
        const data = socket.data as LiveSocketData;
        if (cred && cred.kind === 'dashboard' && cred.workspace_id === data.workspaceId) continue;
        // Emitted before the disconnect on the same transport, so the client reads the reason first.
        socket.emit('closed', closed);
        socket.disconnect(true);
        deps.log.info({ keyId: hash.slice(0, 16), workspaceId: data.workspaceId }, 'live: closed a revoked token');
      }
    }
  }

  const schedule = () => {
    if (stopped) return;
    // A chain of timeouts, not an interval: a slow sweep never overlaps the next one.
    timer = setTimeout(() => {
      void sweep().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  schedule();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
