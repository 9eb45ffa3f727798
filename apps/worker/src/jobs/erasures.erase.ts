// The erasure queue's one job (CONTRACT §14, docs/operations.md): erase conversations of a
// workspace — one by id, or every one with an event from a shopper — from every place that
// holds their text, reason, sources, ids or metadata, keeping the aggregate counts.
//
// Order: wait until everything accepted before the request has been processed (so nothing of
// it is still on its way), find the conversations, erase them from the hot state, ClickHouse,
// Redis's buffers and the batch queues' kept jobs; then once more for what was accepted while
// the first pass ran. What is accepted after the job ends is a new conversation (the rule in
// docs/operations.md).
import { Queue, Worker, type Job } from 'bullmq';
import {
  BatchRecord,
  conversationStateField,
  eraseConversationState,
  eraseFromCachedResolutions,
  type BatchData,
} from '@thumbline/batch';
import { conversationsOfShopper, eraseConversationRows, type ClickHouse } from '@thumbline/clickhouse';
import { redactedError, type Logger } from '@thumbline/core';
import type { AcceptedEvent, ErasureJob } from '@thumbline/events';
import {
  eraseFromBuffers,
  ErasureStore,
  processedUpTo,
  type Keys,
  type RedisClient,
  type StreamEntry,
} from '@thumbline/redis';

export interface ErasureDeps {
  redis: RedisClient;
  connect: () => RedisClient;
  keys: Keys;
  ch: ClickHouse;
  log: Logger;
}

/** How long one attempt waits for the streams to be processed before it is retried later. */
const WAIT_MS = 60_000;

async function waitProcessed(deps: ErasureDeps, partitions: readonly number[], atMs: number): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (const p of partitions) {
    while (!(await processedUpTo(deps.redis, deps.keys.partition(p), atMs))) {
      if (Date.now() > deadline)
        throw new Error(`partition ${p} has not processed what was accepted before the erasure`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Removes the conversations' events from the batch queues' kept jobs (completed ones, dead letters). */
async function eraseFromBatchJobs(deps: ErasureDeps, ws: string, ids: ReadonlySet<string>): Promise<void> {
  const names = await deps.redis.hkeys(deps.keys.queues);
  const connection = deps.connect();
  try {
    for (const name of names) {
      // Untyped: a kept job's data is read as what the batch queue holds.
      const queue = new Queue(name, { connection, prefix: deps.keys.bull });
      for (const job of await queue.getJobs(['completed', 'failed'], 0, -1)) {
        const { entries }: BatchData = job.data;
        if (!entries) continue;
        const kept: StreamEntry[] = [];
        let changed = false;
        for (const entry of entries) {
          const events = JSON.parse(entry.events) as AcceptedEvent[];
          const left = entry.workspaceId === ws ? events.filter((e) => !ids.has(e.conversation_id)) : events;
          if (left.length !== events.length) changed = true;
          if (left.length > 0) kept.push({ ...entry, count: left.length, events: JSON.stringify(left) });
        }
        if (!changed) continue;
        const partitions = Array.from({ length: deps.keys.partitions }, (_, p) => p);
        if ((await job.isCompleted()) || kept.length === 0) {
          // Done, or a dead letter with nothing left to replay: gone, with what it kept for retries.
          await job.remove();
          await new BatchRecord(deps.redis, deps.keys, String(job.id), 0).forget(partitions, [ws]);
          continue;
        }
        // A dead letter: kept without those events. Partitions it committed before it failed
        // keep their cached resolution without them (re-indexed), with its ledger and publish
        // markers, so a replay writes and publishes what is missing of its other events once.
        const data: BatchData = { entries: kept };
        await job.updateData(data);
        await eraseFromCachedResolutions(deps.redis, deps.keys, String(job.id), entries, ws, ids);
      }
      await queue.close();
    }
  } finally {
    connection.disconnect();
  }
}

async function eraseConversations(deps: ErasureDeps, ws: string, ids: readonly string[], processedAt: number) {
  await eraseConversationState(deps.redis, deps.keys, ws, ids);
  await eraseConversationRows(deps.ch, ws, ids, conversationStateField);
  await eraseFromBuffers(deps.redis, deps.keys, ws, ids, processedAt);
  await eraseFromBatchJobs(deps, ws, new Set(ids));
}

/** Runs one erasure; answers how many conversations it erased. */
export async function runErasure(deps: ErasureDeps, job: ErasureJob): Promise<number> {
  const ws = job.workspaceId;
  const all = Array.from({ length: deps.keys.partitions }, (_, p) => p);
  const partitions = 'conversationId' in job.target ? [deps.keys.partitionOf(job.target.conversationId)] : all;
  const find = async () =>
    'conversationId' in job.target
      ? [job.target.conversationId]
      : await conversationsOfShopper(deps.ch, ws, job.target.shopperId);

  await waitProcessed(deps, partitions, job.requestedAt);
  const ids = await find();
  await eraseConversations(deps, ws, ids, job.requestedAt);
  // Accepted while the first pass ran: processed by now or soon; erased too.
  const second = Date.now();
  await waitProcessed(deps, partitions, second);
  const more = await find();
  const erased = new Set([...ids, ...more]);
  await eraseConversations(deps, ws, [...erased], second);
  return erased.size;
}

/** The consumer side (worker role): one erasure at a time. */
export function startErasureWorker(connection: RedisClient, deps: ErasureDeps): Worker<ErasureJob> {
  const store = new ErasureStore(deps.redis, deps.keys);
  const w = new Worker<ErasureJob>(
    deps.keys.erasureQueue,
    async (job: Job<ErasureJob>) => {
      // A failed attempt's error (kept on the job until it ends, and logged) may quote the ids
      // it was erasing (a mutation's text): kept without quoted values, as a batch's is.
      const n = await runErasure(deps, job.data).catch((err: unknown) => {
        throw redactedError(err);
      });
      await store.finish(job.data.workspaceId, job.data.erasureId, 'done', n);
      deps.log.info({ erasureId: job.data.erasureId, conversations: n }, 'erasure done');
    },
    { connection, prefix: deps.keys.bull, concurrency: 1 },
  );
  w.on('failed', (job, err) => {
    deps.log.warn({ err, erasureId: job?.data.erasureId, attempts: job?.attemptsMade }, 'erasure attempt failed');
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      store.finish(job.data.workspaceId, job.data.erasureId, 'failed', 0).catch(() => undefined);
    }
  });
  w.on('error', (err) => deps.log.error({ err }, 'erasure worker error'));
  return w;
}
