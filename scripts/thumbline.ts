// Workspace and key administration against the install's Redis (REDIS_URL, or the private
// redis-server of THUMBLINE_DATA_DIR when npm start runs it). `npm run thumbline -- --help`
// lists the commands (HELP below).
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
import type { DemoCredentials } from '@thumbline/api';
import { loadEnvOrExit } from '@thumbline/runtime';
import { Queue } from 'bullmq';
import { deadLetters, QUEUE, replayDeadLetters, type InsertBatchData } from '@thumbline/worker';

/** Every command with a one-line description: `--help` prints it, and nothing else runs. */
const COMMANDS: [command: string, args: string, description: string][] = [
  [
    'workspaces create',
    '<id> [--tz ZONE] [--origin URL]...',
    'create a workspace; prints public_key, secret_key, dashboard_token, admin_token',
  ],
  ['keys create', '<workspace> <public|secret|dashboard|admin>', 'add a key or token to a workspace; prints it once'],
  ['keys list', '<workspace>', "list a workspace's keys by key id and kind (never the keys)"],
  ['keys revoke', '<key or key id>', 'revoke a key or token at once'],
  ['dead-letters list', '', 'failed batches, and single events ClickHouse refused, with the reason'],
  ['dead-letters replay', '[batch id...]', 'queue failed batches again (all when none given)'],
  ['backup', '<dir>', 'back up the embedded install npm start runs (ClickHouse BACKUP + a Redis snapshot that agree)'],
  ['restore', '<dir>', 'restore a backup into an empty THUMBLINE_DATA_DIR (npm start stopped); then npm start'],
  [
    'analysts create',
    '<workspace> [--apply] [--host-ip CIDR] [--password P]',
    "SQL for a workspace's own read-only ClickHouse user; --apply runs it",
  ],
];
const HELP = [
  'Usage: npm run thumbline -- <command>',
  '',
  'Commands:',
  // Usage and description on lines of their own: readable in an 80-column terminal.
  ...COMMANDS.map(([command, args, description]) => `  ${`${command} ${args}`.trim()}\n      ${description}`),
  '',
  'Redis: REDIS_URL, or the private redis-server of THUMBLINE_DATA_DIR while `npm start` runs.',
  'ClickHouse (analysts create --apply): CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD.',
  '',
].join('\n');

const [group, action, ...rest] = process.argv.slice(2);
// Before the env is parsed: help must work whatever the environment holds.
if (group === '--help' || group === '-h' || group === 'help') {
  process.stdout.write(HELP);
  process.exit(0);
}
const env = loadEnvOrExit(process.env);

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

if (group === 'analysts') {
  // ClickHouse users, not Redis: runs before Redis is needed.
  const { analystsCli } = await import('./analysts.ts');
  process.exit(await analystsCli(action, rest, env));
}
function redisUrl(): string {
  if (env.REDIS_URL) return env.REDIS_URL;
  const portFile = join(env.THUMBLINE_DATA_DIR, 'redis', 'port');
  if (!existsSync(portFile)) fail('Set REDIS_URL, or run this while `npm start` runs on THUMBLINE_DATA_DIR.');
  return `redis://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
}

if (group === 'backup' || group === 'restore') {
  const { backupCli } = await import('./backup.ts');
  process.exit(await backupCli(group, action, env, redisUrl));
}
if (!COMMANDS.some(([command]) => command === `${group} ${action}`)) {
  const given = [group, action].filter(Boolean).join(' ');
  process.stderr.write(`${given ? `unknown command: ${given}\n\n` : ''}${HELP}`);
  process.exit(2);
}
const KINDS: CredentialKind[] = ['public', 'secret', 'dashboard', 'admin'];
/** What each kind is called in credentials.json (README, Quick start), the one set of names. */
const FIELD = {
  public: 'public_key',
  secret: 'secret_key',
  dashboard: 'dashboard_token',
  admin: 'admin_token',
} as const satisfies Record<CredentialKind, keyof DemoCredentials>;

function option(name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < rest.length; i++) if (rest[i] === `--${name}` && rest[i + 1]) out.push(rest[++i] as string);
  return out;
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
    print({ workspace_id: id, ...Object.fromEntries(KINDS.map((k) => [FIELD[k], tokens[k]])) });
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
    // Every worker's batch queue holds its own dead letters (ADR 0009); `events` is the queue of
    // installs from before partitions.
    const names = [QUEUE, ...(await redis.hkeys(keys.queues))];
    const queues = names.map((name) => new Queue<InsertBatchData>(name, { connection, prefix: keys.bull }));
    try {
      // Batches that failed every attempt (replayable), and events ClickHouse refused for
      // their data (left out of their batch; the same bytes would be refused again).
      if (action === 'list') {
        const batches = (await Promise.all(queues.map((q) => deadLetters(q)))).flat();
        print({ batches, events: await listDeadEvents(redis, keys) });
      } else {
        let replayed = 0;
        for (const q of queues) replayed += await replayDeadLetters(q, rest.length > 0 ? rest : undefined);
        print({ replayed });
      }
    } finally {
      for (const q of queues) await q.close();
      // A connection handed to BullMQ stays open after close(): the process would not exit.
      connection.disconnect();
    }
  }
} finally {
  redis.disconnect();
}
