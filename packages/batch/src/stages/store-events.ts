// Stage 3, store events: the raw rows of a resolution's new events, before the state says
// they were seen. Rows ClickHouse refuses for their data are found (nothing of the batch is
// stored then), kept as dead events with ClickHouse's reason, and answered: the batch is
// resolved again without them (ADR 0008).
import { writeEvents, type ClickHouse } from '@thumbline/clickhouse';
import type { BatchResolution } from '@thumbline/events';
import { recordDeadEvents, type Keys, type RedisClient } from '@thumbline/redis';
import { eventRows } from '../rows.ts';
import type { BatchEvent } from './load.ts';

/** Items storage refused, as batch indexes: none when every row was stored. */
export interface StoreOutcome {
  refused: number[];
}

export async function storeEvents(
  deps: { redis: RedisClient; keys: Keys; ch: ClickHouse },
  batchId: string,
  events: readonly BatchEvent[],
  resolution: BatchResolution,
): Promise<StoreOutcome> {
  const refused = await writeEvents(deps.ch, batchId, eventRows(events, resolution));
  const items = refused.map((r) => resolution.fresh[r.index] as number);
  await recordDeadEvents(
    deps.redis,
    deps.keys,
    refused.map((r, n) => {
      const b = events[items[n] as number];
      return {
        batchId,
        index: items[n] as number,
        workspaceId: b?.workspaceId ?? '',
        event: JSON.stringify(b?.event),
        error: r.error,
      };
    }),
  );
  return { refused: items };
}
