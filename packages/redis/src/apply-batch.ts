import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { Keys } from './keys.ts';

const SCRIPT = readFileSync(new URL('./lua/apply-batch.lua', import.meta.url), 'utf8');

/** One event as the state script needs it. */
export interface BatchItem {
  /** workspace id */
  w: string;
  /** receive order (see receiveOrder) */
  r: string;
  e: {
    event_id: string;
    type: string;
    ts: number;
    conversation_id: string;
    message_id?: string;
    thumb?: string;
    score?: number;
    reason?: string;
  };
}

/** A signed change of the aggregates (bucket in epoch seconds). */
export interface BatchChange {
  workspace_id: string;
  bucket: number;
  conversation_id: string;
  message_id: string;
  event_id: string;
  thumbs_up: number;
  thumbs_down: number;
  csat_sum: number;
  csat_count: number;
}

/** The new summary of a conversation the batch changed (times in epoch ms). */
export interface BatchConversation {
  workspace_id: string;
  conversation_id: string;
  started: number;
  score: number | null;
  reason: string;
  rated: number | null;
  thumbs_up: number;
  thumbs_down: number;
  version: number;
}

export interface BatchResolution {
  /** Indexes (into the items) of events seen for the first time. */
  fresh: number[];
  changes: BatchChange[];
  conversations: BatchConversation[];
}

export interface ApplyBatchOptions {
  dedupTtlSeconds: number;
  stateTtlSeconds: number;
  resultTtlSeconds: number;
}

/**
 * Registers the Lua scripts as commands. Done when a connection is created: ioredis's
 * auto-pipelining breaks on commands defined after its first pipeline.
 */
export function defineScripts(redis: Redis): void {
  redis.defineCommand('tlApplyBatch', { numberOfKeys: 1, lua: SCRIPT });
}

type WithApplyBatch = Redis & {
  tlApplyBatch(key: string, prefix: string, items: string, a: number, b: number, c: number): Promise<string>;
};

/** cjson encodes an empty array as {}. */
function list<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/**
 * Resolves dedup and latest-wins state for a batch, atomically, and caches the answer
 * under the batch id: calling it again for the same batch returns the same resolution.
 */
export async function applyBatch(
  redis: Redis,
  keys: Keys,
  batchId: string,
  items: BatchItem[],
  options: ApplyBatchOptions,
): Promise<BatchResolution> {
  const r = redis as WithApplyBatch;
  if (typeof r.tlApplyBatch !== 'function') defineScripts(redis);
  const json = await r.tlApplyBatch(
    keys.batch(batchId),
    keys.prefix,
    JSON.stringify(items),
    options.dedupTtlSeconds,
    options.stateTtlSeconds,
    options.resultTtlSeconds,
  );
  const raw = JSON.parse(json) as Record<string, unknown>;
  return {
    fresh: list<number>(raw.fresh),
    changes: list<BatchChange>(raw.changes),
    conversations: list<Record<string, unknown>>(raw.conversations).map((c) => ({
      ...(c as unknown as BatchConversation),
      score: typeof c.score === 'number' ? c.score : null,
      rated: typeof c.rated === 'number' ? c.rated : null,
      reason: typeof c.reason === 'string' ? c.reason : '',
    })),
  };
}

/**
 * The receive order of the `index`-th event of stream entry `entryId`, as text that
 * sorts like the arrival order ("equal ts: the one received later wins").
 */
export function receiveOrder(entryId: string, index: number): string {
  const [ms = '0', seq = '0'] = entryId.split('-');
  return `${ms.padStart(15, '0')}-${seq.padStart(10, '0')}-${String(index).padStart(4, '0')}`;
}
