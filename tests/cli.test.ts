// The admin CLI against a real Redis: workspaces and keys it makes work, revoked keys don't.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestApp } from '@thumbline/ingest';
import { CredentialStore, recordDeadEvents } from '@thumbline/redis';
import { openTestEnv, type TestEnv } from './support/harness.ts';
import { thumb } from './support/events.ts';
import { spawnArgs } from './support/spawn.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv('cli');
});
afterAll(() => env.cleanup());

async function cli(...args: string[]): Promise<{ code: number | null; out: string }> {
  const run = spawnArgs('scripts/thumbline.ts', args, {
    REDIS_URL: env.redisUrl,
    THUMBLINE_REDIS_PREFIX: env.keys.prefix,
  });
  const code = await run.exited();
  return { code, out: run.output() };
}

async function send(key: string) {
  const res = await createIngestApp(env).request('/v1/events', {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(thumb('c', 'm', 'up', Date.now())),
  });
  return res.status;
}

describe('npm run thumbline', () => {
  it('creates a workspace with working keys, more keys, lists and revokes them', async () => {
    const created = await cli(
      'workspaces',
      'create',
      'shop2',
      '--tz',
      'Europe/Berlin',
      '--origin',
      'https://shop2.example',
    );
    expect(created.code).toBe(0);
    const ws = JSON.parse(created.out) as Record<string, string>;
    // The names of credentials.json (README, Quick start), one set for the same things.
    expect(Object.keys(ws).sort()).toEqual(
      ['admin_token', 'dashboard_token', 'public_key', 'secret_key', 'workspace_id'].sort(),
    );
    expect(ws.workspace_id).toBe('shop2');
    expect(ws.public_key?.startsWith('pk_')).toBe(true);
    expect(ws.dashboard_token?.startsWith('dt_')).toBe(true);
    expect(ws.admin_token?.startsWith('at_')).toBe(true);
    expect(await env.store.workspace('shop2')).toEqual({
      id: 'shop2',
      tz: 'Europe/Berlin',
      allowed_origins: ['https://shop2.example'],
    });
    expect(await send(ws.secret_key as string)).toBe(202);

    const extra = JSON.parse((await cli('keys', 'create', 'shop2', 'public')).out) as { token: string };
    expect(extra.token.startsWith('pk_')).toBe(true);
    expect(await send(extra.token)).toBe(202);

    const listed = JSON.parse((await cli('keys', 'list', 'shop2')).out) as { key_id: string; kind: string }[];
    expect(listed.map((k) => k.kind).sort()).toEqual(['admin', 'dashboard', 'public', 'public', 'secret']);
    expect(JSON.stringify(listed)).not.toContain(extra.token);

    expect((await cli('keys', 'revoke', extra.token)).code).toBe(0);
    env.store = new CredentialStore(env.redis, env.keys); // a process that never cached the key
    expect(await send(extra.token)).toBe(401);
    expect(await send(ws.secret_key as string)).toBe(202);
  });

  it('--help lists every command with a one-line description, without Redis', async () => {
    const run = spawnArgs('scripts/thumbline.ts', ['--help'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(await run.exited()).toBe(0);
    const lines = run.output().split('\n');
    for (const command of [
      'workspaces create',
      'keys create',
      'keys list',
      'keys revoke',
      'dead-letters list',
      'dead-letters replay',
      'analysts create',
    ]) {
      const at = lines.findIndex((l) => l.trimStart().startsWith(command));
      expect(at, command).toBeGreaterThan(0);
      expect(lines[at + 1]?.trim(), `${command}: description`).toMatch(/^[a-z].{10,}/i);
    }
    expect(run.output()).toContain('dashboard_token');
  });

  it('refuses what it cannot do, saying why', async () => {
    const unknown = await cli('keys', 'rotate');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('unknown command: keys rotate');
    expect(unknown.out).toContain('dead-letters replay');
    expect((await cli('workspaces', 'create', 'shop2')).code).toBe(2);
    const bad = await cli('keys', 'create', 'nope', 'public');
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('no workspace nope');
    expect((await cli('keys', 'revoke', 'pk_unknown')).code).toBe(2);
  });

  it('lists dead events with the reason storage refused them', async () => {
    await recordDeadEvents(env.redis, env.keys, [
      { batchId: 'b1', index: 3, workspaceId: 'shop2', event: '{"event_id":"e1"}', error: 'Code: 25. surrogate' },
    ]);
    const listed = await cli('dead-letters', 'list');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.out)).toMatchObject({
      batches: [],
      events: [
        { batchId: 'b1', index: 3, workspaceId: 'shop2', event: '{"event_id":"e1"}', error: 'Code: 25. surrogate' },
      ],
    });
  });
});
