// One delivery attempt against a real HTTP server on loopback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from './webhook-post.ts';

let server: Server;
let port = 0;
const seen: { path: string; headers: Record<string, unknown>; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/ok` }).end();
      else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2000);
      else if (req.url === '/fail') res.writeHead(500).end('no');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const open = { timeoutMs: 1000, allowPrivate: true };

describe('postWebhook', () => {
  it('POSTs the raw body with the given headers', async () => {
    const res = await postWebhook(`http://127.0.0.1:${port}/ok`, '{"a":1}', { 'x-thumbline-event-id': 'e1' }, open);
    expect(res).toMatchObject({ ok: true, code: 204, error: null });
    const got = seen.at(-1);
    expect(got?.body).toBe('{"a":1}');
    expect(got?.headers['x-thumbline-event-id']).toBe('e1');
    expect(got?.headers['content-type']).toBe('application/json');
  });

  it('reports a non-2xx answer as failed', async () => {
    expect(await postWebhook(`http://127.0.0.1:${port}/fail`, '{}', {}, open)).toMatchObject({ ok: false, code: 500 });
  });

  it('never follows a redirect', async () => {
    const before = seen.length;
    const res = await postWebhook(`http://127.0.0.1:${port}/redirect`, '{}', {}, open);
    expect(res).toMatchObject({ ok: false, code: 302 });
    expect(res.error).toMatch(/redirect/);
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/redirect']);
  });

  it('gives up after the timeout', async () => {
    const res = await postWebhook(`http://127.0.0.1:${port}/slow`, '{}', {}, { ...open, timeoutMs: 300 });
    expect(res).toMatchObject({ ok: false, code: null });
    expect(res.error).toMatch(/no answer within 300 ms/);
    expect(res.durationMs).toBeLessThan(1500);
  });

  it('refuses a private address without connecting: as a literal, and as a name (checked at lookup)', async () => {
    const before = seen.length;
    const literal = await postWebhook(
      `http://127.0.0.1:${port}/ok`,
      '{}',
      {},
      { timeoutMs: 1000, allowPrivate: false },
    );
    expect(literal).toMatchObject({ ok: false, code: null });
    const named = await postWebhook(`http://localhost:${port}/ok`, '{}', {}, { timeoutMs: 1000, allowPrivate: false });
    expect(named).toMatchObject({ ok: false, code: null });
    expect(named.error).toMatch(/localhost resolves to/);
    expect(seen.length).toBe(before);
    // The same name is reachable once private targets are allowed: the refusal was the check, not the network.
    expect(await postWebhook(`http://localhost:${port}/ok`, '{}', {}, open)).toMatchObject({ ok: true });
  });
});
