/**
 * Every Redis key Thumbline uses, built from one prefix. Workspace ids never contain
 * ':' (validated at creation), so `<prefix>:<kind>:<ws>:<id>` is unambiguous.
 */
export interface Keys {
  readonly prefix: string;
  /** The ingest stream (accepted events, one entry per request). */
  readonly stream: string;
  /** Consumer group of the pump on the stream. */
  readonly group: string;
  /** BullMQ prefix. */
  readonly bull: string;
  /** sha256(token) -> credential JSON. */
  readonly credentials: string;
  workspace(ws: string): string;
  /** Events a key sent in one second (epoch seconds), for its rate limit. */
  rate(keyId: string, second: number): string;
  /** Events one client address sent with a key in one second, for the per-client limit of public keys. */
  clientRate(keyId: string, client: string, second: number): string;
  /** Cached result of a batch's state resolution (see batch-state.store.ts). */
  batch(batchId: string): string;
  /** Tables a batch has written after its state commit (see batch-ledger.ts). */
  batchLedger(batchId: string): string;
  /** Marker: this batch's delta for this workspace was published (holds its seq). */
  published(batchId: string, ws: string): string;
  /** Events storage refused, with the reason (see dead-events.store.ts). */
  readonly deadEvents: string;
  /** Live deltas of every workspace, read by each gateway node. */
  readonly liveStream: string;
  liveSeq(ws: string): string;
  liveHistory(ws: string): string;
}

export function createKeys(prefix: string): Keys {
  return {
    prefix,
    stream: `${prefix}:events`,
    group: 'pump',
    bull: `${prefix}:bull`,
    credentials: `${prefix}:credentials`,
    workspace: (ws) => `${prefix}:ws:${ws}`,
    rate: (keyId, second) => `${prefix}:rate:${keyId}:${second}`,
    clientRate: (keyId, client, second) => `${prefix}:rate:${keyId}:c:${client}:${second}`,
    batch: (batchId) => `${prefix}:batch:${batchId}`,
    batchLedger: (batchId) => `${prefix}:batch:${batchId}:written`,
    published: (batchId, ws) => `${prefix}:live:pub:${batchId}:${ws}`,
    deadEvents: `${prefix}:dead-events`,
    liveStream: `${prefix}:live`,
    liveSeq: (ws) => `${prefix}:live:seq:${ws}`,
    liveHistory: (ws) => `${prefix}:live:history:${ws}`,
  };
}
