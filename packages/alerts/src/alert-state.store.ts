import type { Keys, RedisClient } from '@thumbline/redis';

/** Where a rule stands after its last evaluation. */
export interface RuleState {
  status: 'ok' | 'firing';
  /** Transitions so far: the n of the next transition's event id. */
  transitions: number;
  /** Event id of the last transition (null before the first). */
  event_id: string | null;
  /** When the status last changed (ms). */
  since: number;
  value: number | null;
  samples: number;
  evaluated_at: number;
}

export const INITIAL_STATE: RuleState = {
  status: 'ok',
  transitions: 0,
  event_id: null,
  since: 0,
  value: null,
  samples: 0,
  evaluated_at: 0,
};

/** Each rule's evaluation state, one hash per workspace (written by the evaluation holding the workspace's lock). */
export class AlertStateStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async all(ws: string): Promise<Map<string, RuleState>> {
    const raw = await this.redis.hgetall(this.keys.alerts(ws).state);
    return new Map(
      Object.entries(raw).map(([id, json]) => [id, { ...INITIAL_STATE, ...(JSON.parse(json) as RuleState) }]),
    );
  }

  /** Writes these states and drops those of rules that no longer exist. */
  async save(ws: string, states: Map<string, RuleState>, gone: readonly string[]): Promise<void> {
    const k = this.keys.alerts(ws).state;
    const tx = this.redis.multi();
    if (states.size > 0) tx.hset(k, Object.fromEntries([...states].map(([id, s]) => [id, JSON.stringify(s)])));
    if (gone.length > 0) tx.hdel(k, ...gone);
    await tx.exec();
  }
}
