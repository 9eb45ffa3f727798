// Which worker pumps which partition (ADR 0009): leases that are renewed while the worker
// lives and lapse when it stops, so its partitions move to the others within seconds.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';
import { runRedisLua } from './scripts.ts';

export interface LeaseOptions {
  /** A lease lapses this long after its last renewal. */
  ttlMs: number;
  /** How often leases are renewed and rebalanced. */
  renewMs: number;
}

/** A stopped worker's partitions move within ttl + renew (under 10 s). */
export const DEFAULT_LEASES: LeaseOptions = { ttlMs: 6000, renewMs: 1500 };

/**
 * This worker's share of the partitions. Every `renewMs` it says it is alive (a sorted
 * set scored by heartbeat), renews what it holds, gives back what is over its fair share
 * (ceil(partitions / live workers)) and takes free partitions up to it. At most one worker
 * holds a partition at a time (SET NX); a worker that pauses past its ttl loses its
 * leases, and the state commit's version check (ADR 0007) keeps a batch it was still
 * processing exact.
 */
export class PartitionLeases {
  private held = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    readonly owner: string,
    private readonly options: LeaseOptions = DEFAULT_LEASES,
    /** Told of every lease this worker takes, gives back or loses (for the lease-churn metric). */
    private readonly onChange: (change: 'acquired' | 'released' | 'lost') => void = () => {},
  ) {}

  /** Partitions this worker holds now. */
  owned(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Gives partition `p` back, if this owner still holds it. */
  private release(p: number): Promise<number> {
    return runRedisLua<number>(this.redis, 'release-lease', [this.keys.lease(p)], [this.owner]);
  }

  start(): this {
    if (!this.timer) {
      this.ticking = this.tick().catch(() => undefined);
      this.timer = setInterval(() => {
        this.ticking = (this.ticking ?? Promise.resolve()).then(() => this.tick().catch(() => undefined));
      }, this.options.renewMs);
    }
    return this;
  }

  /** Stops renewing and gives every lease back, so others take them at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    await Promise.all(this.owned().map((p) => this.release(p).catch(() => 0)));
    await this.redis.zrem(this.keys.workers, this.owner).catch(() => 0);
    this.held.clear();
  }

  /** One round: heartbeat, renew, give back over the fair share, take free ones up to it. */
  async tick(): Promise<void> {
    const now = Date.now();
    const { ttlMs } = this.options;
    await this.redis.zadd(this.keys.workers, now, this.owner);
    await this.redis.zremrangebyscore(this.keys.workers, '-inf', now - ttlMs);
    const live = Math.max(1, await this.redis.zcard(this.keys.workers));
    const fair = Math.ceil(this.keys.partitions / live);

    const renewed = await Promise.all(
      this.owned().map((p) =>
        runRedisLua<number>(this.redis, 'renew-lease', [this.keys.lease(p)], [this.owner, ttlMs]),
      ),
    );
    this.owned().forEach((p, i) => {
      if (renewed[i] !== 1) {
        this.held.delete(p);
        this.onChange('lost');
      }
    });
    for (const p of this.owned().slice(fair)) {
      await this.release(p);
      this.held.delete(p);
      this.onChange('released');
    }
    if (this.held.size >= fair) return;
    // Start at a point of our own, so workers starting together try different partitions first.
    const start = Number.parseInt(this.owner.slice(-4), 36) % this.keys.partitions || 0;
    for (let k = 0; k < this.keys.partitions && this.held.size < fair; k++) {
      const p = (start + k) % this.keys.partitions;
      if (this.held.has(p)) continue;
      const got = await this.redis.set(this.keys.lease(p), this.owner, 'PX', ttlMs, 'NX');
      if (got === 'OK') {
        this.held.add(p);
        this.onChange('acquired');
      }
    }
  }
}
