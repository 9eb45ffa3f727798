// Containment in the worker (ADR 0008): events ClickHouse refuses for their data are found,
// kept as dead events and left out, and everything else of their batch counts at once; a
// batch replayed long after ClickHouse's dedup window still counts once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import type { Overview } from '@thumbline/events';
import { createKeys, listDeadEvents, newToken } from '@thumbline/redis';
import { appendRaw as appendRawTo, readAll, startTestWorker } from './support/pipeline.ts';
import { clickHouseArchive } from '@thumbline/batch';
import { insertBatch, sliceJobId } from '@thumbline/worker';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { FlakyClickHouse } from './support/flaky-clickhouse.ts';

let env: TestEnv;
const NOW = Date.now();
const DAY = new Date(NOW).toISOString().slice(0, 10);
const FROM = new Date(NOW - 86_400_000).toISOString().slice(0, 10);
const LONE = 'x\ud800y';
const tokens = { a: newToken('dashboard'), b: newToken('dashboard') };

beforeAll(async () => {
  env = await openTestEnv('poison');
  for (const ws of ['a', 'b'] as const) {
    await env.store.saveWorkspace({ id: ws, tz: 'UTC', allowed_origins: [] });
    await env.store.addToken(tokens[ws], { workspace_id: ws, kind: 'dashboard' });
  }
});
afterAll(() => env.cleanup());

/** Appends events to the stream as ingest would have, skipping its checks (an older ingest, a bug). */
function appendRaw(ws: string, events: object[]) {
  return appendRawTo(env.redis, env.keys, ws, events as { conversation_id: string }[]);
}

async function overview(ws: 'a' | 'b'): Promise<Overview> {
  const res = await createApiApp(env).request(`/v1/analytics/overview?from=${FROM}&to=${DAY}&tz=UTC`, {
    headers: { authorization: `Bearer ${tokens[ws]}` },
  });
  return (await res.json()) as Overview;
}

const total = (o: Overview) => ({ up: o.thumbs.up, down: o.thumbs.down, rated: o.csat.rated });

async function eventCount(ws: string): Promise<number> {
  const [row] = await env.ch.query<{ n: string }>('SELECT count() AS n FROM events WHERE workspace_id = {ws:String}', {
    ws,
  });
  return Number(row?.n);
}

const ev = (type: string, fields: object) => ({
  event_id: randomUUID(),
  type,
  ts: NOW - 60_000,
  conversation_id: `c-${randomUUID().slice(0, 8)}`,
  widget_id: 'w',
  locale: 'en',
  ...fields,
});

/** One event per (type, string field) with a lone surrogate in that field. */
function poisonEvents(): { field: string; event: object }[] {
  const templates: [string, object, string[]][] = [
    ['conversation.started', { channel: 'web' }, ['channel']],
    ['message.created', { message_id: 'm', role: 'shopper', text: 't' }, ['message_id', 'text', 'role']],
    ['message.feedback', { message_id: 'm', thumb: 'down' }, ['message_id']],
    ['conversation.resolved', {}, []],
    ['conversation.csat', { score: 1, reason: 'r' }, ['reason']],
  ];
  const out: { field: string; event: object }[] = [];
  for (const [type, fields, own] of templates) {
    for (const field of ['conversation_id', 'widget_id', 'locale', 'event_id', ...own]) {
      out.push({ field: `${type} ${field}`, event: { ...ev(type, fields), [field]: LONE } });
    }
  }
  return out;
}

const startWorker = () =>
  startTestWorker(env, {
    retry: { attempts: 1000, baseMs: 250, maxMs: 30_000 },
    pump: { consumer: 'poison', lingerMs: 20 },
  });

describe('poison isolation', () => {
  it('a poisoned event in each string field of each event type leaves every valid event of two workspaces counted at once', async () => {
    const poison = poisonEvents();
    const validA = [
      ev('message.feedback', { message_id: 'ma1', thumb: 'up' }),
      ev('message.feedback', { message_id: 'ma2', thumb: 'down' }),
      ev('conversation.csat', { score: 4, reason: 'fine 😀' }),
    ];
    const validB = [ev('message.feedback', { message_id: 'mb1', thumb: 'up' }), ev('conversation.csat', { score: 2 })];
    // Workspace a's request holds every poison between its valid events; b's arrives in the same batch.
    await appendRaw('a', [validA[0] as object, ...poison.map((p) => p.event), ...validA.slice(1)]);
    await appendRaw('b', validB);
    const sent = Date.now();
    const w = startWorker();
    try {
      const a = await eventually(
        () => overview('a'),
        (o) => o.thumbs.up + o.thumbs.down + o.csat.rated >= 3,
        10_000,
      );
      const b = await eventually(
        () => overview('b'),
        (o) => o.thumbs.up + o.csat.rated >= 2,
        10_000,
      );
      const latencyMs = Date.now() - sent;
      expect(total(a)).toEqual({ up: 1, down: 1, rated: 1 });
      expect(total(b)).toEqual({ up: 1, down: 0, rated: 1 });
      expect(await eventCount('a')).toBe(3);
      expect(await eventCount('b')).toBe(2);
      // Within one batch's normal processing: no retry cycle waited for the poison.
      expect((await env.metrics.batchFailures.get()).values[0]?.value ?? 0).toBe(0);
      console.info(`valid events of a poisoned batch counted ${latencyMs} ms after the worker started`);

      const dead = await listDeadEvents(env.redis, env.keys, 100);
      expect(dead).toHaveLength(poison.length);
      for (const d of dead) {
        expect(d.workspaceId).toBe('a');
        expect(d.error).toMatch(/surrogate|UUID|parse/i);
      }
      const deadIds = new Set(dead.map((d) => (JSON.parse(d.event) as { event_id: string }).event_id));
      for (const p of poison) expect(deadIds.has((p.event as { event_id: string }).event_id), p.field).toBe(true);
      expect(await env.metrics.registry.getSingleMetricAsString('thumbline_dead_events_total')).toMatch(
        new RegExp(` ${poison.length}$`, 'm'),
      );
    } finally {
      await w.close();
    }
  });
});

describe('replays', () => {
  it('a batch replayed after the dedup window changes no total, whatever failed before', async () => {
    const keys = createKeys(`r${randomUUID().slice(0, 6)}`);
    const flaky = new FlakyClickHouse(env.ch);
    const deps = { ...env, keys, ch: flaky, archive: clickHouseArchive(env.redis, flaky, env.state) };
    const before = total(await overview('b'));
    // A window of one block: every later insert pushes the batch's tokens out of it.
    for (const t of ['events', 'feedback_changes', 'feedback_15m', 'conversations']) {
      await env.ch.command(`ALTER TABLE ${t} MODIFY SETTING non_replicated_deduplication_window = 1`);
    }
    try {
      const batch = async (events: object[]) => {
        await appendRawTo(env.redis, keys, 'b', events as { conversation_id: string }[]);
        const entries = await readAll(env.redis, keys, 'replay');
        return { id: sliceJobId(entries), data: { entries } };
      };
      const x = await batch([
        ev('message.feedback', { message_id: 'rx1', thumb: 'up' }),
        ev('conversation.csat', { score: 5 }),
      ]);
      // First attempt: events stored and state committed, then conversations fail.
      flaky.failTable = 'conversations';
      await expect(insertBatch(deps, x.id, x.data)).rejects.toThrow(/injected/);
      flaky.failTable = null;
      // Other batches land: the window moves past every token of batch x.
      for (let i = 0; i < 3; i++) {
        const other = await batch([ev('message.feedback', { message_id: `ro${i}`, thumb: 'down' })]);
        await insertBatch(deps, other.id, other.data);
      }
      // The replay, long after: writes only what is missing.
      await insertBatch(deps, x.id, x.data);
      expect(total(await overview('b'))).toEqual({ up: before.up + 1, down: before.down + 3, rated: before.rated + 1 });
      // A second replay of a finished batch resolves again and finds every event seen.
      await insertBatch(deps, x.id, x.data);
      expect(total(await overview('b'))).toEqual({ up: before.up + 1, down: before.down + 3, rated: before.rated + 1 });
      const [row] = await env.ch.query<{ n: string }>(
        "SELECT count() AS n FROM conversations FINAL WHERE workspace_id = 'b' AND score = 5",
      );
      expect(Number(row?.n)).toBe(1);

      // Every insert landed, then the live publish failed (Redis): the ledger, not the tokens,
      // keeps the replay from writing the summaries again.
      const afterX = total(await overview('b'));
      let failPublish = true;
      const redis = new Proxy(env.redis, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (
              failPublish &&
              (prop === 'evalsha' || prop === 'eval') &&
              args.some((a) => String(a).includes(':pub:'))
            ) {
              throw new Error('injected: publish failed');
            }
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
      const y = await batch([ev('message.feedback', { message_id: 'ry1', thumb: 'up' })]);
      await expect(insertBatch({ ...deps, redis }, y.id, y.data)).rejects.toThrow(/injected/);
      failPublish = false;
      for (let i = 0; i < 3; i++) {
        const other = await batch([ev('message.feedback', { message_id: `rq${i}`, thumb: 'down' })]);
        await insertBatch(deps, other.id, other.data);
      }
      await insertBatch(deps, y.id, y.data);
      expect(total(await overview('b'))).toEqual({ ...afterX, up: afterX.up + 1, down: afterX.down + 3 });
    } finally {
      for (const t of ['events', 'feedback_changes', 'feedback_15m', 'conversations']) {
        await env.ch.command(`ALTER TABLE ${t} MODIFY SETTING non_replicated_deduplication_window = 10000`);
      }
    }
  });
});
