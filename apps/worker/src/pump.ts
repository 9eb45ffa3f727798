import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Logger, Metrics } from '@thumbline/core';
import {
  ack,
  claimStale,
  ensureGroup,
  pinEntries,
  readGroup,
  refsOf,
  trimDone,
  trimLiveStream,
  type Keys,
  type PartitionLeases,
  type RedisClient,
  type StreamEntry,
} from '@thumbline/redis';
import { JOB, type InsertBatchData } from './jobs/events.insert-batch.ts';
import { PinCheck } from './pin-check.ts';

export interface PumpOptions {
  /** This process's consumer name in every partition's group (unique per process). */
  consumer: string;
  /** Most events in one job. */
  maxEvents: number;
  /**
   * Jobs of disjoint partitions run side by side (their resolutions do not take turns,
   * packages/batch pipeline.ts): what is read at once is cut into this many groups of
   * partitions (partition mod groups), one job per group. Default: the worker's concurrency.
   */
  groups: number;
  /**
   * Reads of fewer events go as one job, not one per group: at a few thousand single events a
   * second the pump reads ~100–1000 at a time, and a job per group doubled the inserts (and the
   * engine's parts to merge) for no overlap worth having.
   */
  splitFromEvents: number;
  /** How long to wait for more entries once some arrived, to fill a batch. */
  lingerMs: number;
  /** How long to keep filling while workers are busy with earlier batches. */
  maxLingerMs: number;
  /** Entries left pending by another consumer this long are taken over (the partition is ours now). */
  claimIdleMs: number;
  /** How often to trim acknowledged entries and claim stale ones. */
  maintenanceMs: number;
}

export const DEFAULT_PUMP_OPTIONS: Omit<PumpOptions, 'consumer'> = {
  maxEvents: 5000,
  groups: 2,
  splitFromEvents: 1000,
  lingerMs: 20,
  maxLingerMs: 250,
  claimIdleMs: 5_000,
  maintenanceMs: 5_000,
};

/**
 * The job id of a slice: derived from its entries (partition and id each), so adding the
 * same slice again is a no-op.
 */
export function sliceJobId(entries: readonly StreamEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.partition}:${e.id};`);
  return `${entries[0]?.id ?? 'empty'}_${hash.digest('hex').slice(0, 24)}`;
}

/**
 * Cuts entries into slices of at most `maxEvents` events (an entry is never split), each of
 * one group of partitions (partition mod `groups`), so slices of different groups share no
 * partition. A read of fewer than `splitFrom` events is not cut by group: each job costs a few
 * inserts whatever it holds, and a small read gains nothing from two jobs side by side.
 */
export function slices(entries: readonly StreamEntry[], maxEvents: number, groups = 1, splitFrom = 0): StreamEntry[][] {
  let total = 0;
  for (const e of entries) total += e.count;
  const cutBy = total < splitFrom ? 1 : groups;
  const out: StreamEntry[][] = [];
  const byGroup = new Map<number, StreamEntry[]>();
  for (const entry of entries) {
    const g = entry.partition % cutBy;
    const list = byGroup.get(g);
    if (list) list.push(entry);
    else byGroup.set(g, [entry]);
  }
  for (const group of byGroup.values()) {
    let current: StreamEntry[] = [];
    let events = 0;
    for (const entry of group) {
      if (current.length > 0 && events + entry.count > maxEvents) {
        out.push(current);
        current = [];
        events = 0;
      }
      current.push(entry);
      events += entry.count;
    }
    if (current.length > 0) out.push(current);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Longest pause between reads of idle partitions (latency of the first event after a quiet spell). */
const IDLE_POLL_MAX_MS = 50;

/**
 * Moves the partition streams this worker holds (its leases) into BullMQ: reads each with
 * the consumer group, turns what it read into jobs whose ids come from their entries, and
 * acknowledges entries only once their job exists. A crash in between leaves entries
 * pending; the partition's next holder takes them over (`claimIdleMs`), and adding a job
 * is idempotent, so nothing is lost. Overlapping slices are harmless: the worker dedups by
 * event_id. Streams are read without blocking (a blocking read of several streams cannot
 * span a cluster's slots), backing off while they are idle.
 */
export class Pump {
  private running = false;
  private loop: Promise<void> | null = null;
  private lastMaintenance = 0;
  private readonly ready = new Set<number>();
  private idleMs = 1;
  private readonly pins: PinCheck;

  constructor(
    /** A connection of its own. */
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly queue: Queue<InsertBatchData>,
    private readonly leases: Pick<PartitionLeases, 'owned'>,
    private readonly options: PumpOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    this.pins = new PinCheck(redis, keys, log);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current slice is handed over. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.pins.close();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const owned = this.leases.owned();
        // Partitions newly ours: their group exists, and what this process left pending goes again.
        for (const p of owned) {
          if (this.ready.has(p)) continue;
          await ensureGroup(this.redis, this.keys, this.keys.partition(p));
          await this.drainPending(p);
          this.ready.add(p);
        }
        for (const p of this.ready) if (!owned.includes(p)) this.ready.delete(p);
        await this.maintain(owned);
        const entries = await this.readBatch(owned);
        if (entries.length > 0) {
          this.idleMs = 1;
          await this.dispatch(entries);
        } else {
          await sleep(this.idleMs);
          this.idleMs = Math.min(IDLE_POLL_MAX_MS, this.idleMs * 2);
        }
      } catch (err) {
        if (!this.running) break;
        this.log.error({ err }, 'pump: stream read or hand-over failed; retrying');
        this.ready.clear();
        await sleep(500);
      }
    }
  }

  /** One non-blocking read of each partition, up to what is left of `maxEvents`. */
  private async readOnce(owned: readonly number[], room: number): Promise<StreamEntry[]> {
    const { consumer } = this.options;
    const per = Math.max(1, Math.ceil(room / Math.max(1, owned.length)));
    const reads = await Promise.all(
      owned.map((p) => readGroup(this.redis, this.keys, this.keys.partition(p), consumer, { count: per, from: '>' })),
    );
    return reads.flat();
  }

  /**
   * Reads up to maxEvents, lingering `lingerMs` after the first entries to fill the batch.
   * While every worker slot of this process is taken (its queue's jobs, waiting or active, fill
   * the `groups` slots) it keeps filling, up to `maxLingerMs`: a batch dispatched then would only
   * wait for a slot, and a batch costs about the same whether it holds 100 events or 5000, so
   * under load fewer, bigger batches keep the pipeline ahead instead of queueing small ones
   * behind each other, and leave the cores to ingest.
   */
  private async readBatch(owned: readonly number[]): Promise<StreamEntry[]> {
    if (owned.length === 0) return [];
    const { lingerMs, maxLingerMs } = this.options;
    // Room for a full job per group of partitions.
    const maxEvents = this.options.maxEvents * Math.max(1, Math.min(this.options.groups, owned.length));
    let entries = await this.readOnce(owned, maxEvents);
    let events = entries.reduce((n, e) => n + e.count, 0);
    const started = Date.now();
    let busy = false;
    while (entries.length > 0 && events < maxEvents && this.running) {
      const waited = Date.now() - started;
      if (waited >= maxLingerMs) break;
      if (waited >= lingerMs) {
        busy = (await this.queue.getJobCountByTypes('waiting', 'active')) >= this.options.groups;
        if (!busy) break;
      }
      await sleep(busy ? 10 : Math.max(1, Math.min(5, lingerMs - waited)));
      const more = await this.readOnce(owned, maxEvents - events);
      entries = entries.concat(more);
      events += more.reduce((n, e) => n + e.count, 0);
    }
    return entries;
  }

  private async drainPending(p: number): Promise<void> {
    const partition = this.keys.partition(p);
    for (;;) {
      const pending = await readGroup(this.redis, this.keys, partition, this.options.consumer, {
        count: 1000,
        from: '0',
      });
      if (pending.length === 0) return;
      this.log.info({ partition: p, entries: pending.length }, 'pump: re-queueing own pending entries');
      await this.dispatch(pending);
    }
  }

  private async maintain(owned: readonly number[]): Promise<void> {
    const now = Date.now();
    if (now - this.lastMaintenance < this.options.maintenanceMs) return;
    this.lastMaintenance = now;
    let length = 0;
    let oldest = Infinity;
    for (const p of owned) {
      const partition = this.keys.partition(p);
      const stale = await claimStale(
        this.redis,
        this.keys,
        partition,
        this.options.consumer,
        this.options.claimIdleMs,
        1000,
      );
      if (stale.length > 0) {
        this.log.warn({ partition: p, entries: stale.length }, 'pump: took over entries another consumer left pending');
        await this.dispatch(stale);
      }
      await this.pins.run(partition);
      await trimDone(this.redis, partition);
      length += await this.redis.xlen(partition.stream);
      const [first] = (await this.redis.xrange(partition.stream, '-', '+', 'COUNT', 1)) as [string, string[]][];
      if (first) oldest = Math.min(oldest, Number(first[0].split('-')[0]));
    }
    await trimLiveStream(this.redis, this.keys);
    this.metrics.streamLength.set(length);
    this.metrics.streamLagSeconds.set(Number.isFinite(oldest) ? Math.max(0, (now - oldest) / 1000) : 0);
  }

  /**
   * Each slice becomes a job that names its entries (one copy of the events in Redis):
   * pinned first, so trimming keeps them until the job is done; then the job; then the
   * acknowledgement. A crash in between repeats harmless steps (same job id, same pin).
   */
  private async dispatch(entries: StreamEntry[]): Promise<void> {
    for (const slice of slices(entries, this.options.maxEvents, this.options.groups, this.options.splitFromEvents)) {
      const jobId = sliceJobId(slice);
      const refs = refsOf(slice);
      await pinEntries(this.redis, this.keys, jobId, refs);
      await this.queue.add(JOB, { refs }, { jobId });
      await ack(this.redis, this.keys, slice);
    }
  }
}
