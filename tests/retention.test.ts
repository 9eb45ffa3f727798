// Retention (CONTRACT §14, docs/operations.md): TTLs set from the environment's days on start,
// changed without a rebuild, and applied by the engine: rows past a short retention are gone,
// counts inside it unchanged. Redis's dead events and delivery records age out by a sweep.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryLog } from '@thumbline/alerts';
import { applyRetention, retentionTtls, TABLES } from '@thumbline/clickhouse';
import { listDeadEvents, recordDeadEvents } from '@thumbline/redis';
import { RetentionSweep } from '@thumbline/worker';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { appendRaw, drain } from './support/pipeline.ts';
import { csat, message, thumb } from './support/events.ts';

const DAY = 86_400_000;
const WS = 'ret';
let env: TestEnv;

const count = async (sql: string, params: Record<string, unknown> = {}) =>
  Number((await env.ch.query<{ n: string }>(sql, params))[0]?.n ?? 0);

/** Recent counts a dashboard shows: the last 5 days' thumbs and ratings from the aggregates. */
const recentSums = () =>
  env.ch.query<{ up: number; down: number; csat: number; n: number }>(
    `SELECT sum(thumbs_up) AS up, sum(thumbs_down) AS down, sum(csat_sum) AS csat, sum(csat_count) AS n
       FROM ${TABLES.feedback15m} WHERE workspace_id = {ws:String} AND bucket >= now() - INTERVAL 5 DAY`,
    { ws: WS },
  );

/** Applies every table's TTL now, as the engine would at its next merge. */
async function materializeTtls() {
  for (const { table } of retentionTtls({ rawDays: 1, aggregateDays: 1 })) {
    await env.ch.command(`ALTER TABLE ${table} MATERIALIZE TTL SETTINGS mutations_sync = 2`);
    await env.ch.command(`OPTIMIZE TABLE ${table} FINAL`);
  }
}

beforeAll(async () => {
  env = await openTestEnv('retention');
});
afterAll(() => env.cleanup());

describe('retention in ClickHouse', () => {
  it('sets each table TTL from the days given, and alters only what changed', async () => {
    expect(await applyRetention(env.ch, { rawDays: 400, aggregateDays: 1825 })).toEqual([
      TABLES.events,
      TABLES.conversations,
      TABLES.feedbackChanges,
      TABLES.feedback15m,
      TABLES.stateArchive,
    ]);
    // Same settings on the next start: nothing to do.
    expect(await applyRetention(env.ch, { rawDays: 400, aggregateDays: 1825 })).toEqual([]);
    // A changed setting takes effect on start, without a rebuild.
    expect(await applyRetention(env.ch, { rawDays: 90, aggregateDays: 1825 })).toEqual([
      TABLES.events,
      TABLES.conversations,
    ]);
    const ttl = await env.ch.query<{ engine_full: string }>(
      `SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = 'events'`,
    );
    expect(ttl[0]?.engine_full).toContain('TTL toDateTime(ts) + toIntervalDay(90)');
    expect(() => retentionTtls({ rawDays: 0, aggregateDays: 10 })).toThrow(/rawDays/);
  });

  it('removes rows past a short retention and keeps the counts inside it', async () => {
    const now = Date.now();
    const old = now - 20 * DAY;
    await appendRaw(env.redis, env.keys, WS, [
      message('c-old', 'm-old', 'assistant', 'OLD-TRANSCRIPT', old),
      thumb('c-old', 'm-old', 'down', old + 1000),
      csat('c-old', { score: 1 }, old + 2000, { reason: 'OLD-REASON' }),
      message('c-new', 'm-new', 'assistant', 'NEW-TRANSCRIPT', now - 1000),
      thumb('c-new', 'm-new', 'up', now - 900),
      csat('c-new', { score: 5 }, now - 800),
    ]);
    expect(await drain(env)).toBe(6);
    // The old conversation's summary was last changed 20 days ago, and its archived state too.
    await env.ch.command(
      `ALTER TABLE ${TABLES.conversations} UPDATE updated_at = updated_at - INTERVAL 20 DAY
        WHERE conversation_id = 'c-old' SETTINGS mutations_sync = 2`,
    );
    await env.ch.insert(TABLES.stateArchive, [
      {
        workspace_id: WS,
        kind: 'conversation',
        field: `${WS}:"c-old"`,
        generation: 1,
        value: '[]',
        archived_at: Math.floor(old / 1000),
      },
      {
        workspace_id: WS,
        kind: 'conversation',
        field: `${WS}:"c-new"`,
        generation: 1,
        value: '[]',
        archived_at: Math.floor(now / 1000),
      },
    ]);
    const before = await recentSums();
    expect(before[0]).toMatchObject({ up: 1, down: 0, csat: 5, n: 1 });
    expect(await count(`SELECT count() AS n FROM ${TABLES.feedbackChanges} WHERE conversation_id = 'c-old'`)).toBe(2);

    // Raw data kept 10 days, aggregates and the state that retracts them 15: all of c-old is past both.
    await applyRetention(env.ch, { rawDays: 10, aggregateDays: 15 });
    await materializeTtls();

    const left = (table: string, column = 'conversation_id') =>
      count(`SELECT count() AS n FROM ${table} WHERE ${column} = {v:String}`, { v: 'c-old' });
    expect(await left(TABLES.events)).toBe(0);
    expect(await left(TABLES.conversations)).toBe(0);
    expect(await left(TABLES.feedbackChanges)).toBe(0);
    expect(
      await count(`SELECT count() AS n FROM ${TABLES.stateArchive} WHERE field = {f:String}`, { f: `${WS}:"c-old"` }),
    ).toBe(0);
    expect(
      await count(
        `SELECT count() AS n FROM ${TABLES.feedback15m} WHERE workspace_id = {ws:String} AND bucket < now() - INTERVAL 15 DAY`,
        {
          ws: WS,
        },
      ),
    ).toBe(0);
    expect(
      await count(`SELECT count() AS n FROM ${TABLES.events} WHERE positionCaseInsensitive(text, 'OLD-') > 0`),
    ).toBe(0);

    // Inside the retention: every row and every count as before.
    expect(await count(`SELECT count() AS n FROM ${TABLES.events} WHERE conversation_id = 'c-new'`)).toBe(3);
    expect(await count(`SELECT count() AS n FROM ${TABLES.conversations} FINAL WHERE conversation_id = 'c-new'`)).toBe(
      1,
    );
    expect(
      await count(`SELECT count() AS n FROM ${TABLES.stateArchive} WHERE field = {f:String}`, { f: `${WS}:"c-new"` }),
    ).toBe(1);
    expect(await recentSums()).toEqual(before);
  });
});

describe('retention in Redis', () => {
  it('drops dead events and delivery records older than the dead retention', async () => {
    await recordDeadEvents(env.redis, env.keys, [
      { batchId: 'b1', index: 0, workspaceId: WS, event: '{"text":"DEAD"}', error: 'refused' },
    ]);
    const log = new DeliveryLog(env.redis, env.keys);
    const delivery = (id: string, at: number) => ({
      id,
      type: 'alert.test' as const,
      rule_id: 'r',
      rule_name: 'r',
      url: 'http://x',
      created_at: new Date(at).toISOString(),
      status: 'delivered' as const,
      next_attempt_at: null,
      attempts: [],
    });
    const now = Date.now();
    await log.create(WS, delivery('d-old', now - 40 * DAY));
    await log.create(WS, delivery('d-new', now - DAY));
    await env.redis.sadd(env.keys.alertWorkspaces, WS);
    const sweep = new RetentionSweep(env, 30);

    expect(await sweep.run(now)).toEqual({ deadEvents: 0, deliveries: 1 });
    expect((await log.list(WS, { limit: 10 })).map((d) => d.id)).toEqual(['d-new']);
    expect(await listDeadEvents(env.redis, env.keys)).toHaveLength(1);
    // 31 days on, the dead event is past it too.
    expect(await sweep.run(now + 31 * DAY)).toEqual({ deadEvents: 1, deliveries: 1 });
    expect(await listDeadEvents(env.redis, env.keys)).toHaveLength(0);
  });
});
