// Ingest's memory check (ADR 0008): refuse new events while Redis is near its memory
// limit or the stream holds too many bytes, so the pipeline can always drain.
import type { RedisClient } from './client.ts';
import type { Keys } from './keys.ts';

export interface BacklogBytesLimits {
  /** Most bytes the partition streams together may hold before ingest answers 503 (0 = no cap). */
  maxBacklogBytes: number;
  /**
   * Share of Redis's `maxmemory` at which ingest stops taking events. Below 1 on purpose:
   * under `noeviction` a full Redis refuses every write, the worker's state commits and
   * BullMQ's included, and the backlog could never drain. The rest is the workers' room:
   * the state budget and a headroom (runtime's memoryShares).
   */
  memoryShare: number;
}

/** Why ingest refuses for now, for the 503's message. */
export type BacklogRefusal = 'redis_memory' | 'backlog_bytes';

/**
 * Polls Redis's memory (`INFO memory`) and the partition streams' size (`MEMORY USAGE`, sampled)
 * every `intervalMs`, off the request path: a request only reads the last verdict.
 */
export class BacklogGuard {
  private timer: NodeJS.Timeout | undefined;
  private verdict: BacklogRefusal | null = null;
  /** Last figures read, for logs and tests. */
  readonly last = { usedMemory: 0, maxMemory: 0, streamBytes: 0 };

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly limits: BacklogBytesLimits,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    if (!this.timer) {
      void this.poll();
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
    }
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Null while ingest may append; else why not. */
  refusal(): BacklogRefusal | null {
    return this.verdict;
  }

  /** Reads the figures once and updates the verdict. A failed read keeps the last one (appends fail on their own then). */
  async poll(): Promise<void> {
    try {
      const streams = Array.from({ length: this.keys.partitions }, (_, p) => this.keys.partition(p).stream);
      const [info, usage] = await Promise.all([
        infoOf(this.redis),
        this.limits.maxBacklogBytes > 0
          ? Promise.all(streams.map((s) => this.redis.memory('USAGE', s)))
          : Promise.resolve([]),
      ]);
      this.last.usedMemory = field(info, 'used_memory');
      this.last.maxMemory = field(info, 'maxmemory');
      this.last.streamBytes = usage.reduce((sum: number, u) => sum + Number(u ?? 0), 0);
      this.verdict =
        this.last.maxMemory > 0 && this.last.usedMemory >= this.last.maxMemory * this.limits.memoryShare
          ? 'redis_memory'
          : this.limits.maxBacklogBytes > 0 && this.last.streamBytes >= this.limits.maxBacklogBytes
            ? 'backlog_bytes'
            : null;
    } catch {
      // Redis away: ingest's own append reports it (503) without help from here.
    }
  }
}

/** Redis's `maxmemory` in bytes (0: none), of the node most loaded relative to it on a cluster. */
export async function redisMaxMemory(redis: RedisClient): Promise<number> {
  return field(await infoOf(redis), 'maxmemory');
}

/**
 * `INFO memory` of the node most loaded relative to its limit: one Redis, or every master
 * of a cluster (ingest stops when any of them is near full: its partitions could not drain).
 */
async function infoOf(redis: RedisClient): Promise<string> {
  if (!('nodes' in redis)) return redis.info('memory');
  const infos = await Promise.all(redis.nodes('master').map((n) => n.info('memory')));
  const share = (i: string) => field(i, 'used_memory') / (field(i, 'maxmemory') || Infinity);
  return infos.reduce((worst, i) => (share(i) > share(worst) ? i : worst), infos[0] ?? '');
}

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  return m ? Number(m[1]) : 0;
}
