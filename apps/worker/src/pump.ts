import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger, Metrics } from '@thumbline/core';
import {
  ack,
  claimStale,
  ensureGroup,
  readGroup,
  trimAcknowledged,
  type Keys,
  type StreamEntry,
} from '@thumbline/redis';
import { JOB, type InsertBatchData } from './jobs/events.insert-batch.ts';

export interface PumpOptions {
  /** Stable name of this consumer in the group (a restart finds its own pending entries). */
  consumer: string;
  /** Most events in one job. */
  maxEvents: number;
  /** How long to wait for more entries once some arrived, to fill a batch. */
  lingerMs: number;
  /** How long to keep filling while workers are busy with earlier batches. */
  maxLingerMs: number;
  /** Entries left pending by another consumer this long are taken over. */
  claimIdleMs: number;
  /** How often to trim acknowledged entries and claim stale ones. */
  maintenanceMs: number;
}

export const DEFAULT_PUMP_OPTIONS: Omit<PumpOptions, 'consumer'> = {
  maxEvents: 5000,
  lingerMs: 20,
  maxLingerMs: 250,
  claimIdleMs: 60_000,
  maintenanceMs: 5_000,
};

/** The job id of a slice: derived from its first and last entry, so re-adding is a no-op. */
export function sliceJobId(entries: readonly StreamEntry[]): string {
  return `${entries[0]?.id}_${entries[entries.length - 1]?.id}`;
}

/** Cuts entries into slices of at most `maxEvents` events (an entry is never split). */
export function slices(entries: readonly StreamEntry[], maxEvents: number): StreamEntry[][] {
  const out: StreamEntry[][] = [];
  let current: StreamEntry[] = [];
  let events = 0;
  for (const entry of entries) {
    if (current.length > 0 && events + entry.count > maxEvents) {
      out.push(current);
      current = [];
      events = 0;
    }
    current.push(entry);
    events += entry.count;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Moves the ingest stream into BullMQ: reads with a consumer group, turns each slice
 * into one job whose id comes from the slice, and acknowledges the entries only once
 * the job exists. A crash in between leaves the entries pending; they are read again
 * (own pending at start, other consumers' after `claimIdleMs`) and the job add is
 * idempotent, so nothing is lost. Overlapping slices are harmless: the worker dedups
 * by event_id.
 */
export class Pump {
  private running = false;
  private loop: Promise<void> | null = null;
  private lastMaintenance = 0;

  constructor(
    /** A dedicated connection: XREADGROUP BLOCK holds it. */
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly queue: Queue<InsertBatchData>,
    private readonly options: PumpOptions,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current slice is handed over. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    let recovering = true;
    while (this.running) {
      try {
        if (recovering) {
          await ensureGroup(this.redis, this.keys);
          await this.drainPending();
          recovering = false;
        }
        await this.maintain();
        const entries = await this.readBatch();
        if (entries.length > 0) await this.dispatch(entries);
      } catch (err) {
        if (!this.running) break;
        this.log.error({ err }, 'pump: stream read or hand-over failed; retrying');
        recovering = true;
        await sleep(500);
      }
    }
  }

  /**
   * Reads up to maxEvents, lingering `lingerMs` after the first entries to fill the batch.
   * While workers are busy (jobs are waiting) it keeps filling, up to `maxLingerMs`: a
   * batch costs about the same whether it holds 100 events or 5000, so under load fewer,
   * bigger batches keep the pipeline ahead instead of queueing small ones behind each other.
   */
  private async readBatch(): Promise<StreamEntry[]> {
    const { consumer, maxEvents, lingerMs, maxLingerMs } = this.options;
    let entries = await readGroup(this.redis, this.keys, consumer, { count: maxEvents, blockMs: 500, from: '>' });
    let events = entries.reduce((n, e) => n + e.count, 0);
    const started = Date.now();
    let busy = false;
    while (entries.length > 0 && events < maxEvents && this.running) {
      const waited = Date.now() - started;
      if (waited >= maxLingerMs) break;
      if (waited >= lingerMs) {
        busy = (await this.queue.getWaitingCount()) > 0;
        if (!busy) break;
      }
      await sleep(busy ? 10 : Math.max(1, Math.min(5, lingerMs - waited)));
      const more = await readGroup(this.redis, this.keys, consumer, { count: maxEvents - events, from: '>' });
      entries = entries.concat(more);
      events += more.reduce((n, e) => n + e.count, 0);
    }
    return entries;
  }

  private async drainPending(): Promise<void> {
    for (;;) {
      const pending = await readGroup(this.redis, this.keys, this.options.consumer, { count: 1000, from: '0' });
      if (pending.length === 0) return;
      this.log.info({ entries: pending.length }, 'pump: re-queueing own pending entries');
      await this.dispatch(pending);
    }
  }

  private async maintain(): Promise<void> {
    const now = Date.now();
    if (now - this.lastMaintenance < this.options.maintenanceMs) return;
    this.lastMaintenance = now;
    const stale = await claimStale(this.redis, this.keys, this.options.consumer, this.options.claimIdleMs, 1000);
    if (stale.length > 0) {
      this.log.warn({ entries: stale.length }, 'pump: took over entries left pending by another consumer');
      await this.dispatch(stale);
    }
    await trimAcknowledged(this.redis, this.keys);
    this.metrics.streamLength.set(await this.redis.xlen(this.keys.stream));
    const [oldest] = (await this.redis.xrange(this.keys.stream, '-', '+', 'COUNT', 1)) as [string, string[]][];
    this.metrics.streamLagSeconds.set(oldest ? Math.max(0, (Date.now() - Number(oldest[0].split('-')[0])) / 1000) : 0);
  }

  private async dispatch(entries: StreamEntry[]): Promise<void> {
    for (const slice of slices(entries, this.options.maxEvents)) {
      await this.queue.add(JOB, { entries: slice }, { jobId: sliceJobId(slice) });
      await ack(
        this.redis,
        this.keys,
        slice.map((e) => e.id),
      );
    }
  }
}
