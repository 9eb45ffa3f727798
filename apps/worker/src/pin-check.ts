// Finds pins no job will release (stream-pins.ts): a job pins its entries before it is
// added, so a process that dies in between, or a dead letter not yet copied out of its
// streams, leaves a pin behind that would hold the stream's trimming forever.
import { Queue, type Job } from 'bullmq';
import type { Logger } from '@thumbline/core';
import { pinnedBefore, unpinEntries, type Keys, type PartitionKeys, type RedisClient } from '@thumbline/redis';
import type { InsertBatchData } from './jobs/events.insert-batch.ts';
import { settleDeadLetter } from './dead-letters.ts';

/** Pins on entries younger than this are not checked: their jobs are almost always in flight. */
export const PIN_CHECK_AFTER_MS = 60_000;
/** Oldest pins checked per partition and round: the oldest is the one that holds trimming. */
const PER_ROUND = 10;
const PENDING = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class PinCheck {
  private readonly queues = new Map<string, Queue<InsertBatchData>>();
  /** Jobs found missing once: released when still missing next round (a pump may be between pin and add). */
  private readonly suspects = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly log: Logger,
  ) {}

  /** One round over a partition's oldest pins. */
  async run(partition: PartitionKeys): Promise<void> {
    const old = await pinnedBefore(this.redis, partition, Date.now() - PIN_CHECK_AFTER_MS);
    for (const jobId of old.slice(0, PER_ROUND)) {
      const job = await this.find(jobId);
      const state = job ? await job.getState() : 'missing';
      if (PENDING.has(state)) {
        this.suspects.delete(jobId);
      } else if (state === 'failed' && job) {
        await settleDeadLetter({ redis: this.redis, keys: this.keys }, job);
        this.log.info({ jobId }, 'pin check: dead letter copied out of its streams');
      } else if (this.suspects.has(jobId)) {
        this.suspects.delete(jobId);
        await unpinEntries(this.redis, this.keys, jobId, [partition.index]);
        this.log.warn({ jobId, partition: partition.index, state }, 'pin check: released a pin no job holds');
      } else {
        this.suspects.add(jobId);
      }
    }
  }

  /** The job, in whichever worker's queue holds it. */
  private async find(jobId: string): Promise<Job<InsertBatchData> | undefined> {
    const names = Object.keys(await this.redis.hgetall(this.keys.queues));
    for (const name of names) {
      let q = this.queues.get(name);
      if (!q)
        this.queues.set(
          name,
          (q = new Queue<InsertBatchData>(name, { connection: this.redis, prefix: this.keys.bull })),
        );
      const job = await q.getJob(jobId);
      if (job) return job;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }
}
