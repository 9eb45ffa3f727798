import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '@thumbline/core';
import type { Keys, RedisClient } from '@thumbline/redis';
import type { InsertBatchData } from './jobs/events.insert-batch.ts';

/** States of a job that still has to run. */
const PENDING = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

/** How long an adoption lock lives without renewal. */
const ADOPT_TTL_MS = 15_000;

export interface AdopterDeps {
  redis: RedisClient;
  connect: () => RedisClient;
  keys: Keys;
  log: Logger;
  /** This worker's own queue (never adopted by itself). */
  ownQueue: string;
  owner: string;
  /** A worker whose heartbeat is older than this is gone. */
  aliveWithinMs: number;
  /** A BullMQ worker on `queue` running the batch processor (the owner's settings, concurrency 1). */
  startWorker: (queue: string, connection: RedisClient) => Worker<InsertBatchData>;
}

interface Adopted {
  worker: Worker<InsertBatchData>;
  connection: RedisClient;
}

/**
 * Takes over the queues of workers that are gone (ADR 0009). Each worker puts the batches of
 * the partitions it holds into a queue of its own, so one partition's batches are processed
 * by one worker in order; when a worker stops or dies, what is left in its queue (waiting,
 * delayed, or active and then stalled) is processed by one live worker that holds a lock on
 * that queue, until it is empty. An empty queue without dead letters is removed.
 */
export class QueueAdopter {
  private readonly adopted = new Map<string, Adopted>();
  /** Other workers' queues looked at, on one connection of the adopter's own (BullMQ shares it). */
  private readonly queues = new Map<string, Queue<InsertBatchData>>();
  private connection: RedisClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly deps: AdopterDeps) {}

  start(everyMs = 1000): void {
    this.timer ??= setInterval(() => {
      this.round = this.round.then(() =>
        this.tick().catch((err) => this.deps.log.warn({ err }, 'adopter round failed')),
      );
    }, everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
    for (const [queue, a] of this.adopted) await this.release(queue, a);
    for (const q of this.queues.values()) await q.close();
    this.queues.clear();
    this.connection?.disconnect();
    this.connection = undefined;
  }

  /** One round over the registered queues. */
  async tick(): Promise<void> {
    const { redis, keys, owner } = this.deps;
    const registered = (await redis.hgetall(keys.queues)) as Record<string, string>;
    const now = Date.now();
    for (const [queue, queueOwner] of Object.entries(registered)) {
      if (queue === this.deps.ownQueue) continue;
      const beat = await redis.zscore(keys.workers, queueOwner);
      if (beat !== null && now - Number(beat) < this.deps.aliveWithinMs) continue;
      const lock = keys.adopt(queue);
      const mine = this.adopted.get(queue);
      const pending = await this.pending(queue);
      if (mine) {
        if (pending === 0) await this.release(queue, mine);
        else await redis.pexpire(lock, ADOPT_TTL_MS);
        continue;
      }
      if (pending === 0) {
        await this.removeIfDone(queue);
        continue;
      }
      if ((await redis.set(lock, owner, 'PX', ADOPT_TTL_MS, 'NX')) !== 'OK') continue;
      const connection = this.deps.connect();
      this.adopted.set(queue, { worker: this.deps.startWorker(queue, connection), connection });
      this.deps.log.info({ queue, jobs: pending }, 'adopted the queue of a worker that is gone');
    }
  }

  private queue(name: string): Queue<InsertBatchData> {
    let q = this.queues.get(name);
    if (!q) {
      this.connection ??= this.deps.connect();
      q = new Queue<InsertBatchData>(name, { connection: this.connection, prefix: this.deps.keys.bull });
      this.queues.set(name, q);
    }
    return q;
  }

  private async withQueue<T>(name: string, use: (q: Queue<InsertBatchData>) => Promise<T>): Promise<T> {
    return use(this.queue(name));
  }

  private pending(name: string): Promise<number> {
    return this.withQueue(name, async (q) => {
      const counts = await q.getJobCounts(...PENDING);
      return Object.values(counts).reduce((n, c) => n + c, 0);
    });
  }

  /** An empty queue of a gone worker: removed, unless it holds dead letters (kept for `dead-letters`). */
  private async removeIfDone(name: string): Promise<void> {
    await this.withQueue(name, async (q) => {
      const { failed = 0 } = await q.getJobCounts('failed');
      if (failed > 0) return;
      await q.obliterate({ force: true });
      await this.deps.redis.hdel(this.deps.keys.queues, name);
      await q.close();
      this.queues.delete(name);
    });
  }

  private async release(name: string, a: Adopted): Promise<void> {
    await a.worker.close();
    a.connection.disconnect();
    this.adopted.delete(name);
    await this.deps.redis.del(this.deps.keys.adopt(name));
  }
}

export type { Job };
