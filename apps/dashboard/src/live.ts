// The app's one connection to `/live`: screens subscribe to its deltas instead of opening sockets.
import { connectLive, type LiveConnection } from '@thumbline/live-client';
import type { LiveCloseReason, LiveDelta, LiveReview } from '@thumbline/events';

export type LiveStatus = 'live' | 'offline';

export interface LiveListener {
  onDelta?: (delta: LiveDelta) => void;
  /** A review was set or cleared in the workspace (not replayed after a reconnection). */
  onReview?: (review: LiveReview) => void;
  /** Deltas were lost: refetch whatever was built from them. */
  onResync?: () => void;
}

/** How many recent deltas are kept for snapshots that arrive after them. */
const RECENT = 500;

export class LiveHub {
  private connection: LiveConnection | null = null;
  private readonly listeners = new Set<LiveListener>();
  private readonly statusListeners = new Set<(status: LiveStatus) => void>();
  private readonly recent: LiveDelta[] = [];
  private highest: number | undefined;
  private seqSource: (() => number | undefined) | null = null;
  status: LiveStatus = 'offline';

  /** @param onRejected the token was refused on connecting, or revoked while connected. */
  constructor(
    private readonly token: string,
    private readonly onRejected: (reason: 'unauthorized' | LiveCloseReason) => void,
  ) {}

  start(): void {
    if (this.connection) return;
    const connection = connectLive({
      url: location.origin,
      token: this.token,
      // The overview's seq when one is on screen (it must not miss a delta), else the last one seen.
      lastSeq: () => this.seqSource?.() ?? this.highest,
      onDelta: (delta) => this.deliver(delta),
      onReview: (review) => {
        for (const l of [...this.listeners]) l.onReview?.(review);
      },
      onResync: () => {
        for (const l of [...this.listeners]) l.onResync?.();
      },
      onUnauthorized: () => {
        this.setStatus('offline');
        this.onRejected('unauthorized');
      },
      onClosed: (reason) => {
        this.setStatus('offline');
        this.onRejected(reason);
      },
    });
    const { socket } = connection;
    socket.on('connect', () => this.setStatus('live'));
    socket.on('disconnect', () => this.setStatus('offline'));
    socket.on('connect_error', () => this.setStatus('offline'));
    const noteSeq = (payload: unknown) => {
      const seq = (payload as { seq?: unknown } | null)?.seq;
      if (typeof seq === 'number' && (this.highest === undefined || seq > this.highest)) this.highest = seq;
    };
    socket.on('hello', noteSeq);
    socket.on('resync', noteSeq);
    this.connection = connection;
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
    this.setStatus('offline');
  }

  /** The seq to resume from on reconnection; null to fall back to the last delta seen. */
  setSeqSource(source: (() => number | undefined) | null): void {
    this.seqSource = source;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Deltas received with a seq above `seq`, oldest first (for a snapshot taken at `seq`). */
  since(seq: number): LiveDelta[] {
    return this.recent.filter((d) => d.seq > seq).sort((a, b) => a.seq - b.seq);
  }

  private deliver(delta: LiveDelta): void {
    if (typeof delta?.seq !== 'number') return;
    this.recent.push(delta);
    if (this.recent.length > RECENT) this.recent.splice(0, this.recent.length - RECENT);
    if (this.highest === undefined || delta.seq > this.highest) this.highest = delta.seq;
    for (const l of [...this.listeners]) l.onDelta?.(delta);
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const l of [...this.statusListeners]) l(status);
  }
}
