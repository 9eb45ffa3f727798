// Workspace and key administration against the install's Redis (REDIS_URL, or the private
// redis-server of THUMBLINE_DATA_DIR when npm start runs it).
//   npm run thumbline -- workspaces create <id> [--tz Europe/Berlin] [--origin https://shop.example]...
//   npm run thumbline -- keys create <workspace> <public|secret|dashboard|admin>
//   npm run thumbline -- keys list <workspace>
//   npm run thumbline -- keys revoke <token or key id>
//   npm run thumbline -- dead-letters list     (failed batches, and single events ClickHouse refused)
//   npm run thumbline -- dead-letters replay [batch id...]   (all when none given)
//   npm run thumbline -- analysts create <workspace> [--apply] [--host-ip CIDR]   (see scripts/analysts.ts)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createKeys,
  createRedis,
  CredentialStore,
  listDeadEvents,
  newToken,
  whenReady,
  type CredentialKind,
} from '@thumbline/redis';
import { loadEnvOrExit } from '@thumbline/runtime';
import { Queue } from 'bullmq';
import { deadLetters, QUEUE, replayDeadLetters, type InsertBatchData } from '@thumbline/worker';

const env = loadEnvOrExit(process.env);
const [group, action, ...rest] = process.argv.slice(2);
if (group === 'analysts') {
  // ClickHouse users, not Redis: runs before Redis is needed.
  const { analystsCli } = await import('./analysts.ts');
  process.exit(await analystsCli(action, rest, env));
}
const KINDS: CredentialKind[] = ['public', 'secret', 'dashboard', 'admin'];

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function option(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) if (rest[i] === `--${name}` && rest[i + 1]) out.push(rest[++i] as string);
  return out;
}

function redisUrl(): string {
  if (env.REDIS_URL) return env.REDIS_URL;
  const portFile = join(env.THUMBLINE_DATA_DIR, 'redis', 'port');
  if (!existsSync(portFile)) fail('Set REDIS_URL, or run this while `npm start` runs on THUMBLINE_DATA_DIR.');
  return `redis://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
}

const redis = createRedis(redisUrl(), 'edge');
await whenReady(redis).catch(() => fail('Redis is not reachable.'));
const keys = createKeys(env.THUMBLINE_REDIS_PREFIX);
const store = new CredentialStore(redis, keys);
const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

try {
  if (group === 'workspaces' && action === 'create') {
    const id = rest[0] ?? fail('usage: workspaces create <id> [--tz ZONE] [--origin URL]...');
    if (await store.workspace(id)) fail(`workspace ${id} exists`);
    await store.saveWorkspace({ id, tz: option('tz')[0] ?? 'UTC', allowed_origins: option('origin') });
    const tokens = Object.fromEntries(KINDS.map((k) => [k, newToken(k)]));
    for (const kind of KINDS) await store.addToken(tokens[kind] as string, { workspace_id: id, kind });
    print({ workspace_id: id, ...Object.fromEntries(KINDS.map((k) => [`${k}_key`, tokens[k]])) });
  } else if (group === 'keys' && action === 'create') {
    const [ws, kind] = rest as [string, CredentialKind];
    if (!ws || !KINDS.includes(kind)) fail(`usage: keys create <workspace> <${KINDS.join('|')}>`);
    if (!(await store.workspace(ws))) fail(`no workspace ${ws}`);
    const token = newToken(kind);
    await store.addToken(token, { workspace_id: ws, kind });
    print({ workspace_id: ws, kind, token });
  } else if (group === 'keys' && action === 'list') {
    print(await store.list(rest[0] ?? fail('usage: keys list <workspace>')));
  } else if (group === 'keys' && action === 'revoke') {
    const removed = await store.revoke(rest[0] ?? fail('usage: keys revoke <token or key id>'));
    if (removed === 0) fail('no such key');
    print({ revoked: removed });
  } else if (group === 'dead-letters' && (action === 'list' || action === 'replay')) {
    const connection = createRedis(redisUrl(), 'queue');
    const queue = new Queue<InsertBatchData>(QUEUE, { connection, prefix: keys.bull });
    try {
      // Batches that failed every attempt (replayable), and events ClickHouse refused for
      // their data (left out of their batch; the same bytes would be refused again).
      if (action === 'list') print({ batches: await deadLetters(queue), events: await listDeadEvents(redis, keys) });
      else print({ replayed: await replayDeadLetters(queue, rest.length > 0 ? rest : undefined) });
    } finally {
      await queue.close();
      // A connection handed to BullMQ stays open after close(): the process would not exit.
      connection.disconnect();
    }
  } else {
    fail(
      'usage: thumbline workspaces create | keys create | keys list | keys revoke | dead-letters list | dead-letters replay (see scripts/thumbline.ts)',
    );
  }
} finally {
  redis.disconnect();
}
