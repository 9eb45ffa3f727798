import type { Queue } from 'bullmq';
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
      events: job.data.entries.reduce((n, e) => n + e.count, 0),
      firstEntry: job.data.entries[0]?.id ?? null,
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
