// Erasure (CONTRACT §14, docs/operations.md): a conversation erased by id and a shopper's
// conversations erased by shopper_id leave no text, reason, source, id or metadata in any
// ClickHouse table or any Redis key (scanned for a marker), while the aggregate counts stay;
// an event of an erased conversation that arrives later starts it afresh.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { clickHouseArchive, type StateOptions } from '@thumbline/batch';
import type { LiveDelta, Overview } from '@thumbline/events';
import { attachGateway, type Gateway } from '@thumbline/gateway';
import { createIngestApp } from '@thumbline/ingest';
import { connectLive, type LiveConnection } from '@thumbline/live-client';
import { newToken, recordDeadEvents } from '@thumbline/redis';
import type { WorkerRole } from '@thumbline/worker';
import { openTestEnv, testState, type TestEnv } from './support/harness.ts';
import { csat, message, thumb } from './support/events.ts';
import { startTestWorker } from './support/pipeline.ts';
import { redisKeysHolding as keysHolding } from './support/redis-scan.ts';

const WS = 'we';
const MARK = `zq${randomUUID().slice(0, 8)}`; // in every id and text of the erased data
const tokens = { admin: newToken('admin'), dash: newToken('dashboard'), sk: newToken('secret') };
const NOW = Date.now();
const DAY = new Date(NOW + 86_400_000).toISOString().slice(0, 10);
const FROM = new Date(NOW - 3 * 86_400_000).toISOString().slice(0, 10);
let env: TestEnv;
let worker: WorkerRole;
let http: Server;
let gateway: Gateway;
let gatewayUrl = '';

const api = () => createApiApp(env);
const call = (path: string, token: string, init: RequestInit = {}) =>
  api().request(path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

async function ingest(events: object[]) {
  const res = await createIngestApp(env).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
}

async function overview(): Promise<Overview> {
  const res = await call(`/v1/analytics/overview?from=${FROM}&to=${DAY}`, tokens.dash);
  expect(res.status).toBe(200);
  return (await res.json()) as Overview;
}

const totals = (o: Overview) => ({ up: o.thumbs.up, down: o.thumbs.down, csat: JSON.stringify(o.csat) });

/** A conversation with everything that can hold personal data: transcript, sources, reason, shopper. */
function conversation(id: string, shopper: string, ts: number) {
  return [
    message(id, `${id}-q`, 'shopper', `question ${MARK} my address is 1 Main St`, ts),
    {
      ...message(id, `${id}-a`, 'assistant', `answer ${MARK}`, ts + 1),
      sources: [{ id: `src-${MARK}`, title: `Title ${MARK}`, url: `https://help.example/${MARK}` }],
    },
    // The widget and locale are the store's own configuration, and the aggregates' segments: no marker there.
    thumb(id, `${id}-a`, 'down', ts + 2, { shopper_id: shopper, widget_id: 'default', locale: 'en-US' }),
    csat(id, { score: 1 }, ts + 3, { reason: `reason ${MARK}`, shopper_id: shopper }),
  ].map((e) => ({ ...e, shopper_id: shopper }));
}

/** Every row of every table of the install's database that holds `needle`. */
async function tablesHolding(needle: string): Promise<string[]> {
  const tables = await env.ch.query<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = currentDatabase()
        AND engine NOT IN ('View', 'MaterializedView', 'Null')`,
  );
  expect(tables.map((t) => t.name)).toEqual(
    expect.arrayContaining(['events', 'conversations', 'state_archive', 'feedback_changes']),
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const rows = await env.ch.query<{ n: number }>(
      `SELECT count() AS n FROM ${name} WHERE position(formatRow('TSV', *), {needle:String}) > 0`,
      { needle },
    );
    if (Number(rows[0]?.n) > 0) found.push(name);
  }
  return found;
}

/** Every Redis key of the install (its prefix, BullMQ's included) with `needle` in its name or value. */
const redisKeysHolding = (needle: string) => keysHolding(env.redis, env.keys.prefix, needle);

/** A dashboard on the gateway: live deltas after `lastSeq`, or a resync, recorded. */
function dashboard(lastSeq: number | undefined) {
  const seen = { deltas: [] as LiveDelta[], resyncs: 0, hello: false };
  const conn: LiveConnection = connectLive({
    url: gatewayUrl,
    token: tokens.dash,
    lastSeq: () => seen.deltas.at(-1)?.seq ?? lastSeq,
    onDelta: (d) => seen.deltas.push(d),
    onResync: () => seen.resyncs++,
    socketOptions: { transports: ['websocket'], reconnection: false },
  });
  conn.socket.on('hello', () => (seen.hello = true));
  return { conn, seen };
}

async function erasure(path: string, init: RequestInit): Promise<{ conversations: number }> {
  const res = await call(path, tokens.admin, init);
  expect(res.status).toBe(202);
  const accepted = (await res.json()) as { erasure_id: string; status: string };
  expect(accepted.status).toBe('pending');
  return vi.waitFor(
    async () => {
      const got = await call(`/v1/erasures/${accepted.erasure_id}`, tokens.admin);
      const body = (await got.json()) as { status: string; conversations: number; finished_at: string | null };
      expect(body.status).toBe('done');
      expect(body.finished_at).not.toBeNull();
      return body;
    },
    { timeout: 60_000, interval: 200 },
  );
}

beforeAll(async () => {
  env = await openTestEnv('erasure');
  await env.store.saveWorkspace({ id: WS, tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(tokens.admin, { workspace_id: WS, kind: 'admin' });
  await env.store.addToken(tokens.dash, { workspace_id: WS, kind: 'dashboard' });
  await env.store.addToken(tokens.sk, { workspace_id: WS, kind: 'secret' });
  worker = startTestWorker(env);
  http = createServer();
  gateway = attachGateway(http, env);
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  gatewayUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  http?.close();
  await worker?.close();
  await env?.cleanup();
});

describe('erasure', () => {
  const one = `conv-${MARK}-1`;
  const shopper = `shopper-${MARK}`;

  it('needs the admin token', async () => {
    expect((await call(`/v1/conversations/${one}`, tokens.dash, { method: 'DELETE' })).status).toBe(401);
    expect(
      (await call('/v1/erasures', tokens.dash, { method: 'POST', body: JSON.stringify({ shopper_id: 'x' }) })).status,
    ).toBe(401);
    expect(
      (await call('/v1/erasures', tokens.admin, { method: 'POST', body: JSON.stringify({ shopper_id: '' }) })).status,
    ).toBe(400);
    expect((await call(`/v1/erasures/${randomUUID()}`, tokens.admin)).status).toBe(404);
  });

  it('erases by conversation and by shopper everywhere, keeping the aggregate counts', async () => {
    // A dashboard watching live: it gets the conversations' deltas (they name them).
    // Socket.IO's own connection-state recovery is off: a returning dashboard catches up from
    // the live history by last_seq (scrubbed by erasure), and no per-session buffer of missed
    // packets is kept. Turning it on needs its session records erased too (docs/operations.md).
    expect(gateway.io._opts.connectionStateRecovery).toBeFalsy();
    const watching = dashboard(undefined);
    await vi.waitFor(() => expect(watching.seen.hello).toBe(true), { timeout: 10_000, interval: 50 });
    await ingest([
      ...conversation(one, `other-${MARK}`, NOW - 60_000),
      ...conversation(`conv-${MARK}-2`, shopper, NOW - 50_000),
      ...conversation(`conv-${MARK}-3`, shopper, NOW - 40_000),
      thumb('keep-1', 'keep-1-a', 'up', NOW - 30_000),
      csat('keep-1', { score: 5 }, NOW - 29_000),
    ]);
    // Refused by storage once (a dead event kept for operators) — it names the conversation too.
    await recordDeadEvents(env.redis, env.keys, [
      {
        batchId: 'b',
        index: 0,
        workspaceId: WS,
        event: JSON.stringify(conversation(one, 'x', NOW)[0]),
        error: 'refused',
      },
    ]);
    await vi.waitFor(
      async () => {
        const o = await overview();
        expect(o.thumbs.up).toBe(1);
        expect(o.thumbs.down).toBe(3);
      },
      { timeout: 30_000, interval: 200 },
    );
    await vi.waitFor(() => expect(JSON.stringify(watching.seen.deltas)).toContain(MARK), {
      timeout: 10_000,
      interval: 50,
    });
    // It goes away (a closed laptop) and stays away through the erasures. Meanwhile three more
    // batches: another conversation's, one of an erased conversation's, another's again, so the
    // deltas it missed have the erased one's in their middle.
    watching.conn.close();
    const away = watching.seen.deltas.at(-1)?.seq as number;
    const more: [object, number][] = [
      [thumb('keep-2', 'keep-2-a', 'up', NOW - 28_000), 2],
      [thumb(`conv-${MARK}-2`, `conv-${MARK}-2-b`, 'up', NOW - 27_000, { shopper_id: shopper }), 3],
      [thumb('keep-3', 'keep-3-a', 'up', NOW - 26_000), 4],
    ];
    for (const [event, up] of more) {
      await ingest([event]);
      await vi.waitFor(async () => expect((await overview()).thumbs.up).toBe(up), { timeout: 30_000, interval: 100 });
    }
    const before = await overview();
    expect(before.live_seq).toBeGreaterThanOrEqual(away + 3);
    // Every partition's generation closed now: its state is copied to the archive in ClickHouse
    // and stays in Redis as the previous generation, so both tiers hold it.
    const closeNow: StateOptions = { ...testState, generationSeconds: 0 };
    const archive = clickHouseArchive(env.redis, env.ch, closeNow);
    for (let p = 0; p < env.keys.partitions; p++) await archive.archivePartition(env.keys.partition(p));
    await vi.waitFor(
      async () => {
        const archived = await env.ch.query<{ n: number }>(
          `SELECT count() AS n FROM state_archive WHERE position(field, {m:String}) > 0`,
          { m: MARK },
        );
        expect(Number(archived[0]?.n)).toBeGreaterThan(0);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect(await tablesHolding(MARK)).toEqual(
      expect.arrayContaining(['events', 'conversations', 'state_archive', 'feedback_changes']),
    );
    const hot = await redisKeysHolding(MARK);
    expect(
      hot.some((k) => k.includes(':convs:')),
      hot.join('\n'),
    ).toBe(true);
    expect(
      hot.some((k) => k.includes(':msgs:')),
      hot.join('\n'),
    ).toBe(true);

    expect(await erasure(`/v1/conversations/${one}`, { method: 'DELETE' })).toMatchObject({ conversations: 1 });
    expect(
      await erasure('/v1/erasures', { method: 'POST', body: JSON.stringify({ shopper_id: shopper }) }),
    ).toMatchObject({
      conversations: 2,
    });
    // The conversation by id had another shopper; its shopper id went with it.
    expect(await tablesHolding(`other-${MARK}`)).toEqual([]);

    expect(await tablesHolding(MARK)).toEqual([]);
    expect(await redisKeysHolding(MARK)).toEqual([]);
    expect(totals(await overview())).toEqual(totals(before));
    // The dashboard comes back asking for what it missed: the erased conversation's delta is gone
    // from the history, so it is told to resync (refetch), never given the others around a hole
    // it would wait on forever, and nothing it gets names the erased conversations.
    const back = dashboard(away);
    await vi.waitFor(() => expect(back.seen.resyncs).toBe(1), { timeout: 10_000, interval: 50 });
    expect(back.seen.deltas).toEqual([]);
    back.conn.close();
    expect((await call(`/v1/conversations/${one}`, tokens.dash)).status).toBe(404);
    const inbox = await call(`/v1/conversations?from=${FROM}&to=${DAY}`, tokens.dash);
    expect(JSON.stringify(await inbox.json())).not.toContain(MARK);
  }, 120_000);

  it('counts an event of an erased conversation that arrives later as a new conversation', async () => {
    const before = await overview();
    await ingest([thumb(one, `${one}-a`, 'up', NOW - 10_000)]);
    await vi.waitFor(
      async () => {
        const o = await overview();
        // No memory of the erased thumb down: nothing retracted, one thumb up added.
        expect(o.thumbs.up).toBe(before.thumbs.up + 1);
        expect(o.thumbs.down).toBe(before.thumbs.down);
      },
      { timeout: 30_000, interval: 200 },
    );
    const res = await call(`/v1/conversations/${one}`, tokens.dash);
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).not.toContain('address');
  }, 60_000);
});
