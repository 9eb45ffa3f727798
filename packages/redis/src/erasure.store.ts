// Erasure status records (CONTRACT §14): what GET /v1/erasures/{id} answers. A record holds no
// id of what it erases (the conversation or shopper id travels in the erasure's job only, which
// is removed once it ends), so the status outlives the erasure without keeping what it erased.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

export type ErasureStatus = 'pending' | 'done' | 'failed';

export interface ErasureRecord {
  erasure_id: string;
  status: ErasureStatus;
  /** Conversations erased (0 until done). */
  conversations: number;
  requested_at: string;
  finished_at: string | null;
}

/** How long a status record is kept (seconds). */
export const ERASURE_RECORD_TTL_S = 90 * 86_400;

export class ErasureStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async create(ws: string, record: ErasureRecord): Promise<void> {
    await this.redis.set(this.keys.erasure(ws, record.erasure_id), JSON.stringify(record), 'EX', ERASURE_RECORD_TTL_S);
  }

  async get(ws: string, erasureId: string): Promise<ErasureRecord | null> {
    const json = await this.redis.get(this.keys.erasure(ws, erasureId));
    return json === null ? null : (JSON.parse(json) as ErasureRecord);
  }

  async finish(ws: string, erasureId: string, status: 'done' | 'failed', conversations: number): Promise<void> {
    const record = await this.get(ws, erasureId);
    if (!record) return;
    await this.create(ws, { ...record, status, conversations, finished_at: new Date().toISOString() });
  }
}
