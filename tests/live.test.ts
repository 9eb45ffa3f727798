// The live path across two gateway processes: deltas published by the worker after each
// commit reach the right dashboards on either node, and a client applying them to its
// snapshot equals a fresh overview, also after reconnecting with last_seq or a resync.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@thumbline/api';
import { createIngestApp } from '@thumbline/ingest';
import { connectLive, ConversationVersions, LiveOverview, type LiveConnection } from '@thumbline/live-client';
import type { LiveDelta, Overview, OverviewFigures } from '@thumbline/events';
import { receiveOrder } from '@thumbline/events';
import { newToken, publishDelta } from '@thumbline/redis';
import { eventually, openTestEnv, type TestEnv } from './support/harness.ts';
import { csat, thumb } from './support/events.ts';
import { drain } from './support/pipeline.ts';
import { applyState, workspaceDeltas } from '@thumbline/batch';
import { freePort, spawnEntry, type Spawned } from './support/spawn.ts';

let env: TestEnv;
const nodes: { proc: Spawned; url: string }[] = [];
const tokens = { a: newToken('dashboard'), b: newToken('dashboard'), skA: newToken('secret'), skB: newToken('secret') };
const NOW = Date.now();
// The range reaches tomorrow (UTC): in Kolkata, the workspace's zone, today may already be.
const DAY = new Date(NOW + 86_400_000).toISOString().slice(0, 10);
const FROM = new Date(NOW - 6 * 86_400_000).toISOString().slice(0, 10);
const open: LiveConnection[] = [];

beforeAll(async () => {
  env = await openTestEnv('live');
  for (const [ws, dt, sk] of [
    ['wa', tokens.a, tokens.skA],
    ['wb', tokens.b, tokens.skB],
  ] as const) {
    await env.store.saveWorkspace({ id: ws, tz: 'Asia/Kolkata', allowed_origins: [] });
    await env.store.addToken(dt, { workspace_id: ws, kind: 'dashboard' });
    await env.store.addToken(sk, { workspace_id: ws, kind: 'secret' });
  }
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const proc = spawnEntry('apps/gateway/src/main.ts', {
      REDIS_URL: env.redisUrl,
      THUMBLINE_REDIS_PREFIX: env.keys.prefix,
      ...(env.redisCluster ? { REDIS_CLUSTER: 'true' } : {}),
      PORT: String(port),
    });
    nodes.push({ proc, url: `http://127.0.0.1:${port}` });
  }
  await Promise.all(nodes.map((n) => n.proc.waitFor('gateway role ready')));
});

afterAll(async () => {
  for (const c of open) c.close();
  await Promise.all(nodes.map((n) => n.proc.stop()));
  await env.cleanup();
});

async function ingest(sk: string, events: object[]) {
  const res = await createIngestApp(env).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${sk}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status).toBe(202);
  await drain(env);
}

/** The overview's figures: what live deltas keep current (the triage card changes by `review` events). */
async function overview(dt: string): Promise<OverviewFigures> {
  const res = await createApiApp(env).request(`/v1/analytics/overview?from=${FROM}&to=${DAY}`, {
    headers: { authorization: `Bearer ${dt}` },
  });
  const { triage: _triage, ...figures } = (await res.json()) as Overview;
  return figures;
}

/** A dashboard: snapshot + live deltas, on one gateway node. */
async function dashboard(dt: string, node: { url: string }, lastSeq?: number) {
  const received: LiveDelta[] = [];
  const events: string[] = [];
  let live = new LiveOverview(await overview(dt));
  const conn = connectLive({
    url: node.url,
    token: dt,
    lastSeq: () => lastSeq ?? live.lastSeq,
    onDelta: (d) => {
      received.push(d);
      live.apply(d);
    },
    onResync: () => {
      events.push('resync');
      void overview(dt).then((o) => (live = new LiveOverview(o)));
    },
    socketOptions: { transports: ['websocket'], reconnection: false },
  });
  open.push(conn);
  await eventually(async () => conn.socket.connected, Boolean, 10_000);
  return { conn, received, events, live: () => live };
}

describe('live deltas through two gateway nodes', () => {
  it('reach dashboards of the workspace on both nodes and sum to the change in the overview', async () => {
    const onA = await dashboard(tokens.a, nodes[0] as { url: string });
    const onB = await dashboard(tokens.a, nodes[1] as { url: string });
    const other = await dashboard(tokens.b, nodes[0] as { url: string });
    const before = await overview(tokens.a);

    await ingest(tokens.skA, [thumb('c1', 'm1', 'up', NOW - 1000), csat('c1', { score: 4 }, NOW - 1000)]);
    await ingest(tokens.skA, [thumb('c1', 'm1', 'down', NOW - 500), thumb('c2', 'm2', 'up', NOW - 3 * 86_400_000)]);
    const after = await overview(tokens.a);
    expect(after.live_seq).toBe(before.live_seq + 2);

    for (const d of [onA, onB]) {
      await eventually(
        async () => d.live().lastSeq,
        (s) => s === after.live_seq,
      );
      expect(d.live().overview).toEqual(after);
      const sum = (k: 'thumbs_up' | 'thumbs_down' | 'csat_count') =>
        d.received.flatMap((x) => x.buckets).reduce((n, b) => n + b[k], 0);
      expect(sum('thumbs_up')).toBe(after.thumbs.up - before.thumbs.up);
      expect(sum('thumbs_down')).toBe(after.thumbs.down - before.thumbs.down);
      expect(sum('csat_count')).toBe(after.csat.rated - before.csat.rated);
      // In partition order: compare by id.
      const last = [...(d.received.at(-1)?.conversations ?? [])].sort((x, y) =>
        x.conversation_id.localeCompare(y.conversation_id),
      );
      expect(last).toEqual([
        expect.objectContaining({ conversation_id: 'c1', satisfaction: 'positive', thumbs_up: 0, thumbs_down: 1 }),
        expect.objectContaining({ conversation_id: 'c2', thumbs_up: 1 }),
      ]);
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(other.received).toEqual([]);
  });

  it('refuses a bad token with connect_error "unauthorized"', async () => {
    const refused: string[] = [];
    const conn = connectLive({
      url: (nodes[0] as { url: string }).url,
      token: 'dt_wrong',
      lastSeq: () => undefined,
      onDelta: () => refused.push('delta'),
      onResync: () => refused.push('resync'),
      onUnauthorized: () => refused.push('unauthorized'),
      socketOptions: { transports: ['websocket'], reconnection: false },
    });
    open.push(conn);
    await eventually(
      async () => refused,
      (r) => r.includes('unauthorized'),
      10_000,
    );
    expect(refused).toEqual(['unauthorized']);
    expect(conn.socket.connected).toBe(false);
  });

  it('closes a socket within 5 s of its token being revoked, with a reason the client surfaces', async () => {
    const node = nodes[1] as { url: string };
    const revocable = newToken('dashboard');
    await env.store.addToken(revocable, { workspace_id: 'wa', kind: 'dashboard' });
    const kept = await dashboard(tokens.a, node);
    const received: LiveDelta[] = [];
    const closed: string[] = [];
    const conn = connectLive({
      url: node.url,
      token: revocable,
      lastSeq: () => undefined,
      onDelta: (d) => received.push(d),
      onResync: () => undefined,
      onClosed: (reason) => closed.push(reason),
      // Reconnection stays on, as in the dashboard: a revoked socket must not come back.
      socketOptions: { transports: ['websocket'] },
    });
    open.push(conn);
    await eventually(async () => conn.socket.connected, Boolean, 10_000);
    // The gateway has just looked the token up, so its 5 s credential cache holds it.
    await ingest(tokens.skA, [thumb('rv', 'rv-m1', 'up', NOW - 1000)]);
    await eventually(
      async () => received.length,
      (n) => n > 0,
    );

    const revokedAt = Date.now();
    expect(await env.store.revoke(revocable)).toBe(1);
    await eventually(
      async () => closed,
      (c) => c.length > 0,
      5_000,
    );
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    expect(closed).toEqual(['token_revoked']);
    expect(conn.socket.connected).toBe(false);

    const before = received.length;
    const keptBefore = kept.received.length;
    await ingest(tokens.skA, [thumb('rv', 'rv-m1', 'down', NOW - 500)]);
    await eventually(
      async () => kept.received.length,
      (n) => n > keptBefore,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(received.length).toBe(before);
    expect(conn.socket.connected).toBe(false);
    expect(kept.conn.socket.connected).toBe(true);
  });

  it('a client reconnecting with last_seq gets what it missed and converges', async () => {
    const d = await dashboard(tokens.a, nodes[1] as { url: string });
    d.conn.close();
    const held = d.live().lastSeq;
    await ingest(tokens.skA, [thumb('c3', 'm3', 'down', NOW - 2000), csat('c3', { thumb: 'down' }, NOW - 2000)]);
    await ingest(tokens.skA, [thumb('c3', 'm3', 'none', NOW - 100)]);
    d.conn.socket.connect(); // auth() sends last_seq = what it holds
    const fresh = await overview(tokens.a);
    await eventually(
      async () => d.live().lastSeq,
      (s) => s === fresh.live_seq,
    );
    expect(fresh.live_seq).toBe(held + 2);
    expect(d.live().overview).toEqual(fresh);
  });

  it('a client whose missed deltas expired gets resync, refetches and converges', async () => {
    const d = await dashboard(tokens.a, nodes[0] as { url: string });
    d.conn.close();
    await ingest(tokens.skA, [thumb('c4', 'm4', 'up', NOW - 3000)]);
    await ingest(tokens.skA, [thumb('c4', 'm5', 'up', NOW - 3000)]);
    // Expire the kept deltas, as trimming does once more than LIVE_HISTORY are newer.
    await env.redis.del(env.keys.liveHistory('wa'));
    d.conn.socket.connect();
    await eventually(
      async () => d.events,
      (e) => e.includes('resync'),
    );
    const fresh = await overview(tokens.a);
    await eventually(
      async () => d.live().lastSeq,
      (s) => s === fresh.live_seq,
    );
    expect(d.live().overview).toEqual(fresh);
  });

  it('conversation summaries end at the current state when batches of one conversation publish out of order', async () => {
    const node = nodes[0] as { url: string };
    const client = await dashboard(tokens.a, node);
    const versions = new ConversationVersions();
    const shown = new Map<string, LiveDelta['conversations'][number]>();
    client.conn.socket.on('delta', (d: LiveDelta) => {
      for (const c of versions.newer(d.conversations)) shown.set(c.conversation_id, c);
    });
    // Three batches of one conversation, resolved and committed in order (v1, v2, v3)...
    const batches = [
      [thumb('ooo', 'ooo-m1', 'up', NOW - 3000)],
      [csat('ooo', { score: 1 }, NOW - 2000, { reason: 'slow' })],
      [thumb('ooo', 'ooo-m1', 'down', NOW - 1000), csat('ooo', { score: 5 }, NOW - 1000)],
    ];
    const deltas = [];
    for (const [n, events] of batches.entries()) {
      const items = events.map((event, i) => ({
        w: 'wa',
        r: receiveOrder(`${NOW}-${n}`, i),
        e: { ...event, ts: Number(event.ts) },
      }));
      const res = await applyState(env, `ooo-${n}`, items);
      deltas.push(workspaceDeltas(res)[0]?.delta);
    }
    expect(deltas.map((d) => d?.conversations[0]?.version)).toEqual([1, 2, 3]);
    const seen: number[] = [];
    client.conn.socket.on('delta', (d: LiveDelta) => seen.push(...d.conversations.map((c) => c.version)));
    // ...published newest first (a batch that committed first can publish last).
    for (const [n, delta] of [...deltas.entries()].reverse()) {
      await publishDelta(env.redis, env.keys, `ooo-${n}`, 'wa', JSON.stringify(delta), 60);
    }
    await eventually(
      async () => seen,
      (s) => s.length === 3,
    );
    expect(seen).toEqual([3, 2, 1]); // the stale ones did arrive, after the newest
    expect(shown.get('ooo')).toMatchObject({
      version: 3,
      score: 5,
      satisfaction: 'positive',
      thumbs_down: 1,
      thumbs_up: 0,
    });
  });
});
