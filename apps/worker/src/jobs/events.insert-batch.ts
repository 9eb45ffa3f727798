// The batch queue's one job: a slice of stream entries, run through the batch pipeline
// (packages/batch). The job's id comes from its entries (pump.ts), so adding a slice twice is
// a no-op, and the pipeline makes any retry of it count once.
import { processBatch, type BatchData, type BatchDeps, type BatchOutcome } from '@thumbline/batch';

export const QUEUE = 'events';
export const JOB = 'insert-batch';

/** Job data: the entries of one slice, named or carried (packages/batch stages/load.ts). */
export type InsertBatchData = BatchData;

/** Processes one job's batch. */
export function insertBatch(deps: BatchDeps, batchId: string, data: InsertBatchData): Promise<BatchOutcome> {
  return processBatch(deps, batchId, data);
}
