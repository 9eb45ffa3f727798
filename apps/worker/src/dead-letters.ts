import type { Job, Queue } from 'bullmq';
import { loadEntries, unpinEntries, type Keys, type RedisClient } from '@thumbline/redis';
import { firstEntryId } from '@thumbline/batch';
import type { InsertBatchData } from './jobs/events.insert-batch.ts';

/** A batch that failed every attempt (BullMQ's failed set is the dead-letter store). */
export interface DeadLetter {
  id: string;
  attempts: number;
  failedReason: string;
  events: number;
  firstEntry: string | null;
  failedAt: string | null;
}

/** The dead letters, oldest first. */
export async function deadLetters(queue: Queue<InsertBatchData>, limit = 1000): Promise<DeadLetter[]> {
  const jobs = await queue.getFailed(0, limit - 1);
  return jobs
    .map((job) => ({
      id: String(job.id),
      attempts: job.attemptsMade,
      failedReason: job.failedReason,
      // Entries it names (not yet copied into it) count as one event each until then.
      events: job.data.entries
        ? job.data.entries.reduce((n, e) => n + e.count, 0)
        : job.data.refs.reduce((n, r) => n + r.ids.length, 0),
      firstEntry: firstEntryId(job.data) ?? null,
      failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    }))
    .sort((a, b) => (a.firstEntry ?? '').localeCompare(b.firstEntry ?? ''));
}

/**
 * Puts dead letters back in the queue (all, or the given ids). Safe to repeat: a batch
 * writes identical rows under the same dedup tokens, so what landed before counts once.
 */
export async function replayDeadLetters(queue: Queue<InsertBatchData>, ids?: string[]): Promise<number> {
  const jobs = ids ? await Promise.all(ids.map((id) => queue.getJob(id))) : await queue.getFailed(0, -1);
  let replayed = 0;
  for (const job of jobs) {
    if (!job || !(await job.isFailed())) continue;
    await job.retry('failed', { resetAttemptsMade: true });
    replayed++;
  }
  return replayed;
}

/**
 * Makes a batch that failed its last attempt independent of the streams: the entries it
 * names are copied into the job, then its pins are released, so a dead letter (kept 30
 * days) never holds a stream's trimming. Safe to repeat.
 */
export async function settleDeadLetter(
  deps: { redis: RedisClient; keys: Keys },
  job: Job<InsertBatchData>,
): Promise<void> {
  const { refs } = job.data;
  if (!refs) return;
  const entries = await loadEntries(deps.redis, deps.keys, refs);
  await job.updateData({ entries });
  await unpinEntries(
    deps.redis,
    deps.keys,
    String(job.id),
    refs.map((r) => r.partition),
  );
}
