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
    batch: (batchId) => `${prefix}:batch:${batchId}`,
    batchLedger: (batchId) => `${prefix}:batch:${batchId}:written`,
    published: (batchId, ws) => `${prefix}:live:pub:${batchId}:${ws}`,
    deadEvents: `${prefix}:dead-events`,
    liveStream: `${prefix}:live`,
    liveSeq: (ws) => `${prefix}:live:seq:${ws}`,
    liveHistory: (ws) => `${prefix}:live:history:${ws}`,
  };
}
