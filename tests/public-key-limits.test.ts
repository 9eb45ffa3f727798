// Public keys are in every shopper's page: each client address gets its own budget, so one
// visitor cannot spend the store's; behind trusted proxies the address comes from
// X-Forwarded-For, otherwise that header is ignored (the caller could forge it).
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestApp } from '@thumbline/ingest';
import { newToken } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { freePort } from './support/spawn.ts';

let env: TestEnv;
const pk = newToken('public');
const sk = newToken('secret');

beforeAll(async () => {
  env = await openTestEnv('public-limits');
  await env.store.saveWorkspace({ id: 'w', tz: 'UTC', allowed_origins: [] });
  await env.store.addToken(pk, { workspace_id: 'w', kind: 'public' });
  await env.store.addToken(sk, { workspace_id: 'w', kind: 'secret' });
});
afterAll(() => env.cleanup());

async function server(trustedProxies: number): Promise<{ url: string; server: ServerType }> {
  const app = createIngestApp({
    ...env,
    trustedProxies,
    limits: { eventsPerSecond: 1000, maxBacklog: 0, maxBacklogAgeMs: 0, eventsPerSecondPerClient: 3 },
  });
  const port = await freePort();
  const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}/v1/events`, server: s };
}

const send = (url: string, key: string, forwardedFor?: string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: JSON.stringify(thumb('c', `m-${Math.random()}`, 'up', Date.now())),
  });

/** Starts at a fresh second, so a burst falls in one counting window. */
const freshSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));

describe('public key limits per client', () => {
  it('behind one trusted proxy: each forwarded address has its own budget; the secret key has none', async () => {
    const { url, server: s } = await server(1);
    try {
      await freshSecond();
      const a = [];
      for (let i = 0; i < 4; i++) a.push((await send(url, pk, '203.0.113.7')).status);
      expect(a).toEqual([202, 202, 202, 429]);
      const refused = await send(url, pk, '203.0.113.7');
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited', message: /one client/ } });
      // Another shopper of the same store is not affected; a spoofed extra hop on the left changes nothing.
      expect((await send(url, pk, '198.51.100.2')).status).toBe(202);
      expect((await send(url, pk, '10.9.9.9, 203.0.113.7')).status).toBe(429);
      // The backend's secret key only has the per-key limit.
      for (let i = 0; i < 5; i++) expect((await send(url, sk, '203.0.113.7')).status).toBe(202);
    } finally {
      s.close();
    }
  });

  it('without trusted proxies X-Forwarded-For is ignored: forged addresses share the socket peer’s budget', async () => {
    const { url, server: s } = await server(0);
    try {
      await freshSecond();
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(url, pk, `192.0.2.${i}`)).status);
      expect(statuses).toEqual([202, 202, 202, 429]);
    } finally {
      s.close();
    }
  });
});
