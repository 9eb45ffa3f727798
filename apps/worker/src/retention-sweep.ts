// What Redis keeps for operators is kept for THUMBLINE_DEAD_RETENTION_DAYS (docs/operations.md,
// Retention): dead events and webhook delivery records older than that are dropped, on start
// and then every hour. ClickHouse's data ages out by its own TTLs (packages/clickhouse retention.ts).
import { DeliveryLog } from '@thumbline/alerts';
import type { Logger } from '@thumbline/core';
import { forgetDeadEventsBefore, type Keys, type RedisClient } from '@thumbline/redis';

const DAY_MS = 86_400_000;

export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | null = null;

  constructor(
    private readonly deps: { redis: RedisClient; keys: Keys; log: Logger },
    private readonly days: number,
    private readonly everyMs = 3_600_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
    void this.tick();
  }

  private tick(): Promise<unknown> {
    this.round ??= this.run()
      .catch((err: unknown) => this.deps.log.warn({ err }, 'retention sweep failed; retrying next round'))
      .finally(() => {
        this.round = null;
      });
    return this.round;
  }

  /** One sweep: what it dropped. */
  async run(now = Date.now()): Promise<{ deadEvents: number; deliveries: number }> {
    const before = now - this.days * DAY_MS;
    const deadEvents = await forgetDeadEventsBefore(this.deps.redis, this.deps.keys, before);
    const log = new DeliveryLog(this.deps.redis, this.deps.keys);
    let deliveries = 0;
    for (const ws of await this.deps.redis.smembers(this.deps.keys.alertWorkspaces)) {
      deliveries += await log.forgetBefore(ws, before);
    }
    return { deadEvents, deliveries };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.round;
  }
}
