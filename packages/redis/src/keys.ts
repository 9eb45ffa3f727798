/**
 * Every Redis key Thumbline uses, built from one prefix. Workspace ids never contain ':'
 * (validated at creation), so `<prefix>:<kind>:<ws>:<id>` is unambiguous.
 *
 * Keys a script touches together share a hash tag (`{…}`), so on a Redis Cluster each
 * script touches one slot: a partition's stream, batch results and state (`{<prefix>:p<n>}`),
 * a key's rate counters (`{<prefix>:rate:<key id>}`), a workspace's live seq, history and
 * publish markers (`{<prefix>:live:<ws>}`), a workspace's alert rules, states and delivery log
 * (`{<prefix>:alerts:<ws>}`), and BullMQ's queues (`{<prefix>:bull}`). Other
 * keys are used one at a time and spread over the cluster by their own names.
 */
export interface Keys {
  readonly prefix: string;
  /** Number of partitions (fixed when the install was created, see install.ts). */
  readonly partitions: number;
  /** The partition a conversation's events, state and batches belong to. */
  partitionOf(conversationId: string): number;
  /** The keys of partition `n`, all in one hash slot. */
  partition(n: number): PartitionKeys;
  /** Consumer group of the pumps on each partition stream (a group name, not a key). */
  readonly group: string;
  /** BullMQ prefix: one hash tag, so every key of the queue is in one slot. */
  readonly bull: string;
  /** The install record: partition count (see install.ts). */
  readonly install: string;
  /** A partition's lease: which worker pumps it (see partition-leases.ts). */
  lease(n: number): string;
  /** Workers alive, scored by their last heartbeat (epoch ms). */
  readonly workers: string;
  /** Every worker's batch queue, by name, with the worker that owns it (hash). */
  readonly queues: string;
  /** Lock of the live worker processing a gone worker's queue. */
  adopt(queue: string): string;
  /** sha256(token) -> credential JSON. */
  readonly credentials: string;
  workspace(ws: string): string;
  /** A workspace's widget settings (hash). */
  widgets(ws: string): string;
  /** A workspace's auto-end copy per locale (hash). */
  autoEnd(ws: string): string;
  /** Events a key sent in one second (epoch seconds), for its rate limit. */
  rate(keyId: string, second: number): string;
  /** Events one client address sent with a key in one second: same slot as the key's counter. */
  clientRate(keyId: string, client: string, second: number): string;
  /** Tables a batch has written after its state commit (see batch-ledger.ts). */
  batchLedger(batchId: string): string;
  /** Marker: this batch's delta for this workspace was published (holds its seq). */
  published(batchId: string, ws: string): string;
  /** Events storage refused, with the reason (see dead-events.store.ts). */
  readonly deadEvents: string;
  /** Batches inserting conversation versions now, by stamp (see commit-watermark.ts). */
  readonly inflight: string;
  /** Live deltas of every workspace, read by each gateway node. */
  readonly liveStream: string;
  /** Bytes of the live stream's delta bodies (same slot). */
  readonly liveStreamBytes: string;
  liveSeq(ws: string): string;
  liveHistory(ws: string): string;
  /** Bytes of a workspace's recent deltas (same slot). */
  liveHistoryBytes(ws: string): string;
  /** A conversation's current review (hash, see review.store.ts): one key per conversation. */
  review(ws: string, conversationId: string): string;
  /** The Socket.IO Redis Streams adapter's stream and key prefixes. */
  readonly socketIo: { stream: string; sessions: string; channels: string };
  /** A workspace's alert keys, all in one slot (see packages/alerts). */
  alerts(ws: string): AlertKeys;
  /** Workspaces that have alert rules (set): what the evaluation sweep visits. */
  readonly alertWorkspaces: string;
  /** BullMQ queue names (under `bull`) of alert evaluations and webhook deliveries. */
  readonly alertQueues: { readonly evaluate: string; readonly deliver: string };
  /** An erasure's status record (JSON; see erasure.store.ts). */
  erasure(ws: string, erasureId: string): string;
  /** BullMQ queue name (under `bull`) of erasure jobs. */
  readonly erasureQueue: string;
  /** BullMQ queue name (under `bull`) of backups, run by the process that embeds ClickHouse. */
  readonly backupQueue: string;
}

/** The alert keys of one workspace: one hash tag, one slot. */
export interface AlertKeys {
  /** Rules by id (hash of rule JSON). */
  readonly rules: string;
  /** Each rule's evaluation state by rule id (hash of JSON). */
  readonly state: string;
  /** Delivery records by event id (hash of JSON), at most a fixed number kept. */
  readonly deliveries: string;
  /** Delivery ids scored by creation time (ms): which records are oldest. */
  readonly deliveryOrder: string;
  /** Held while one process evaluates the workspace's rules. */
  readonly lock: string;
  /** Deliveries of the workspace still queued (sorted set: event id -> queued at, ms): what its bound counts. */
  readonly queued: string;
  /** Test sends of the workspace in one minute (epoch minutes), for their rate limit. */
  testSends(minute: number): string;
}

/** The keys of one partition: one hash tag, one slot. */
export interface PartitionKeys {
  readonly index: number;
  /** The ingest stream of the partition (accepted events, one entry per request and partition). */
  readonly stream: string;
  /** The partition's state version, bumped by every commit (ADR 0007). */
  readonly version: string;
  /** Jobs naming entries of the stream, scored by their oldest entry's time (stream-pins.ts). */
  readonly pins: string;
  /** Cached result of a batch's state resolution in this partition (see batch-state.store.ts). */
  batch(batchId: string): string;
  /** A state hash of one generation: messages' thumbs, or conversations (with their counted events' ids). */
  state(kind: StateKind, generation: number): string;
  /** The current state generation: its number, start and bytes written (hash). */
  readonly generation: string;
  /** Generations with state still in Redis (sorted set, scored by generation). */
  readonly generations: string;
  /** The greatest state generation copied to the archive (ADR 0010). */
  readonly archived: string;
  /** How many buckets the partition's state is spread over (set once). */
  readonly buckets: string;
  /** The filters of every state field archived: a record (hash) and its bitmaps "<record>:<i>". */
  readonly archiveFilter: string;
}

export type StateKind = 'msgs' | 'convs';

/** Partitions of a new install unless configured (THUMBLINE_PARTITIONS). */
export const DEFAULT_PARTITIONS = 16;

/**
 * FNV-1a (32 bit) of a string's UTF-16 code units: fast, stable across versions and
 * platforms. It decides where every conversation lives, so it must never change.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createKeys(prefix: string, partitions = DEFAULT_PARTITIONS): Keys {
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`invalid partition count: ${partitions}`);
  const parts: PartitionKeys[] = Array.from({ length: partitions }, (_, index) => {
    const tag = `{${prefix}:p${index}}`;
    return {
      index,
      stream: `${tag}:events`,
      version: `${tag}:ver`,
      pins: `${tag}:pins`,
      batch: (batchId) => `${tag}:batch:${batchId}`,
      state: (kind, generation) => `${tag}:${kind}:${generation}`,
      generation: `${tag}:gen`,
      generations: `${tag}:gens`,
      archived: `${tag}:archived`,
      buckets: `${tag}:buckets`,
      archiveFilter: `${tag}:archive-filter`,
    };
  });
  const live = (ws: string) => `{${prefix}:live:${ws}}`;
  const rate = (keyId: string) => `{${prefix}:rate:${keyId}}`;
  return {
    prefix,
    partitions,
    partitionOf: (conversationId) => fnv1a(conversationId) % partitions,
    partition: (n) => {
      const p = parts[n];
      if (!p) throw new Error(`no partition ${n} of ${partitions}`);
      return p;
    },
    group: 'pump',
    bull: `{${prefix}:bull}`,
    install: `${prefix}:install`,
    lease: (n) => `${prefix}:lease:p${n}`,
    workers: `${prefix}:workers`,
    queues: `${prefix}:queues`,
    adopt: (queue) => `${prefix}:adopt:${queue}`,
    credentials: `${prefix}:credentials`,
    workspace: (ws) => `${prefix}:ws:${ws}`,
    widgets: (ws) => `${prefix}:settings:${ws}:widgets`,
    autoEnd: (ws) => `${prefix}:settings:${ws}:auto-end`,
    rate: (keyId, second) => `${rate(keyId)}:${second}`,
    clientRate: (keyId, client, second) => `${rate(keyId)}:c:${client}:${second}`,
    batchLedger: (batchId) => `${prefix}:ledger:${batchId}`,
    published: (batchId, ws) => `${live(ws)}:pub:${batchId}`,
    deadEvents: `${prefix}:dead-events`,
    inflight: `${prefix}:inflight`,
    liveStream: `{${prefix}:live}:stream`,
    liveStreamBytes: `{${prefix}:live}:stream-bytes`,
    liveSeq: (ws) => `${live(ws)}:seq`,
    liveHistory: (ws) => `${live(ws)}:history`,
    liveHistoryBytes: (ws) => `${live(ws)}:history-bytes`,
    // Conversation ids may contain ':' (they are the caller's): last in the key, after the workspace.
    review: (ws, conversationId) => `${prefix}:review:${ws}:${conversationId}`,
    socketIo: { stream: `${prefix}:sio`, sessions: `${prefix}:sio:session:`, channels: `${prefix}:sio` },
    alerts: (ws) => {
      const tag = `{${prefix}:alerts:${ws}}`;
      return {
        rules: `${tag}:rules`,
        state: `${tag}:state`,
        deliveries: `${tag}:deliveries`,
        deliveryOrder: `${tag}:delivery-order`,
        lock: `${tag}:lock`,
        queued: `${tag}:queued`,
        testSends: (minute) => `${tag}:test-sends:${minute}`,
      };
    },
    alertWorkspaces: `${prefix}:alerts:workspaces`,
    alertQueues: { evaluate: 'alerts-evaluate', deliver: 'webhooks-deliver' },
    erasure: (ws, erasureId) => `${prefix}:erasure:${ws}:${erasureId}`,
    erasureQueue: 'erasures',
    backupQueue: 'backups',
  };
}
