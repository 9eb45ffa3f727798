import type { Delivery, DeliveryAttempt } from '@thumbline/events';
import type { Keys, RedisClient } from '@thumbline/redis';
import { runScript } from './scripts.ts';

/** Delivery records kept per workspace (older ones are dropped as new ones come). */
export const DELIVERIES_KEPT = 200;

/** The delivery log of each workspace: transitions (and tests) with their attempts, bounded. */
export class DeliveryLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly kept = DELIVERIES_KEPT,
  ) {}

  /** Adds a record; false when one with this id exists (a repeated evaluation). */
  async create(ws: string, d: Delivery): Promise<boolean> {
    const k = this.keys.alerts(ws);
    const added = await runScript(
      this.redis,
      'createDelivery',
      k.deliveries,
      k.deliveryOrder,
      d.id,
      JSON.stringify(d),
      Date.parse(d.created_at),
      this.kept,
    );
    return added === 1;
  }

  async get(ws: string, id: string): Promise<Delivery | null> {
    const json = await this.redis.hget(this.keys.alerts(ws).deliveries, id);
    return json === null ? null : (JSON.parse(json) as Delivery);
  }

  /** Records an attempt and the delivery's new status (nothing when the record was dropped). */
  async recordAttempt(
    ws: string,
    id: string,
    attempt: DeliveryAttempt,
    status: Delivery['status'],
    nextAttemptAt: string | null,
  ): Promise<void> {
    const d = await this.get(ws, id);
    if (!d) return;
    // A retried job may record the same attempt number again (a crash after recording): keep one.
    const attempts = [...d.attempts.filter((a) => a.attempt !== attempt.attempt), attempt];
    await this.setIfKept(ws, { ...d, attempts, status, next_attempt_at: nextAttemptAt });
  }

  /** Sets a delivery's status without an attempt (cancelled: its rule is gone). */
  async setStatus(ws: string, id: string, status: Delivery['status']): Promise<void> {
    const d = await this.get(ws, id);
    if (d) await this.setIfKept(ws, { ...d, status, next_attempt_at: null });
  }

  private async setIfKept(ws: string, d: Delivery): Promise<void> {
    await runScript(this.redis, 'updateDelivery', this.keys.alerts(ws).deliveries, d.id, JSON.stringify(d));
  }

  /** Drops the records created before `beforeMs` (retention); answers how many. */
  async forgetBefore(ws: string, beforeMs: number): Promise<number> {
    const k = this.keys.alerts(ws);
    const ids = await this.redis.zrangebyscore(k.deliveryOrder, '-inf', `(${beforeMs}`);
    if (ids.length === 0) return 0;
    // Same slot (one hash tag): one transaction.
    await this.redis
      .multi()
      .hdel(k.deliveries, ...ids)
      .zrem(k.deliveryOrder, ...ids)
      .exec();
    return ids.length;
  }

  /** Newest first; optionally one rule's only. */
  async list(ws: string, opts: { limit: number; ruleId?: string | undefined }): Promise<Delivery[]> {
    const k = this.keys.alerts(ws);
    const ids = await this.redis.zrevrange(k.deliveryOrder, 0, opts.ruleId ? this.kept - 1 : opts.limit - 1);
    if (ids.length === 0) return [];
    const rows = await this.redis.hmget(k.deliveries, ...ids);
    const out: Delivery[] = [];
    for (const json of rows) {
      if (json === null) continue;
      const d = JSON.parse(json) as Delivery;
      if (opts.ruleId && d.rule_id !== opts.ruleId) continue;
      out.push(d);
      if (out.length >= opts.limit) break;
    }
    return out;
  }
}
