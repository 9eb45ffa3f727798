// Events storage refused for their data (ADR 0008): kept for an operator to read, never
// retried (the same bytes would be refused again), bounded in number.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

/** Dead events kept; older ones are trimmed. */
export const DEAD_EVENTS_KEPT = 10_000;

export interface DeadEvent {
  /** The batch it arrived in and its place there (one event, however often recorded). */
  batchId: string;
  index: number;
  workspaceId: string;
  /** The event as accepted (JSON). */
  event: string;
  /** Why storage refused it (ClickHouse's error). */
  error: string;
  at: string;
}

/** Records refused events. A batch retried before it commits may record the same ones again; listing shows each once. */
export async function recordDeadEvents(
  redis: RedisClient,
  keys: Keys,
  events: readonly Omit<DeadEvent, 'at'>[],
): Promise<void> {
  if (events.length === 0) return;
  const at = new Date().toISOString();
  const pipeline = redis.pipeline();
  for (const e of events) {
    pipeline.xadd(
      keys.deadEvents,
      'MAXLEN',
      '~',
      DEAD_EVENTS_KEPT,
      '*',
      'batch',
      e.batchId,
      'index',
      String(e.index),
      'ws',
      e.workspaceId,
      'event',
      e.event,
      'error',
      e.error,
      'at',
      at,
    );
  }
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err);
  if (failed) throw failed[0];
}

/** The most recent dead events, newest first, each once. */
export async function listDeadEvents(redis: RedisClient, keys: Keys, limit = 100): Promise<DeadEvent[]> {
  const raw = (await redis.xrevrange(keys.deadEvents, '+', '-', 'COUNT', limit * 2)) as [string, string[]][];
  const seen = new Set<string>();
  const out: DeadEvent[] = [];
  for (const [, fields] of raw) {
    const f = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
    const id = `${f.get('batch')}#${f.get('index')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({
      batchId: f.get('batch') ?? '',
      index: Number(f.get('index')),
      workspaceId: f.get('ws') ?? '',
      event: f.get('event') ?? '',
      error: f.get('error') ?? '',
      at: f.get('at') ?? '',
    });
    if (out.length === limit) break;
  }
  return out;
}

/** Drops dead events recorded before `beforeMs` (their stream ids are their times); answers how many. */
export async function forgetDeadEventsBefore(redis: RedisClient, keys: Keys, beforeMs: number): Promise<number> {
  return Number(await redis.xtrim(keys.deadEvents, 'MINID', String(Math.max(0, Math.floor(beforeMs)))));
}
