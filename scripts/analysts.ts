// `npm run thumbline -- analysts create <workspace> [--apply] [--host-ip CIDR] [--password P]`
// Prints the SQL that gives one workspace's analysts their own read-only ClickHouse user
// (grants on the analyst tables, row policies, fixed caps), or runs it against
// CLICKHOUSE_URL with --apply. The password is generated unless given, and printed once.
import { randomBytes } from 'node:crypto';
import { analystUserName, analystUserStatements, openClickHouse } from '@thumbline/clickhouse';

interface ClickHouseEnv {
  CLICKHOUSE_URL?: string | undefined;
  CLICKHOUSE_USER: string;
  CLICKHOUSE_PASSWORD: string;
  CLICKHOUSE_SQL_USER?: string | undefined;
  CLICKHOUSE_DATABASE: string;
}

function option(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Runs `analysts <action> …`; returns the process exit code. */
export async function analystsCli(
  action: string | undefined,
  args: readonly string[],
  env: ClickHouseEnv,
): Promise<number> {
  const workspaceId = args[0];
  if (action !== 'create' || !workspaceId || workspaceId.startsWith('--')) {
    process.stderr.write('usage: analysts create <workspace> [--apply] [--host-ip CIDR] [--password P]\n');
    return 2;
  }
  const password = option(args, 'password') ?? randomBytes(24).toString('base64url');
  const statements = analystUserStatements({
    database: env.CLICKHOUSE_DATABASE,
    workspaceId,
    password,
    appUsers: env.CLICKHOUSE_SQL_USER ? [env.CLICKHOUSE_USER, env.CLICKHOUSE_SQL_USER] : [env.CLICKHOUSE_USER],
    hostIp: option(args, 'host-ip'),
  });
  if (!args.includes('--apply')) {
    process.stdout.write(`-- analyst user ${analystUserName(workspaceId)}; password: ${password}\n`);
    process.stdout.write(statements.map((s) => `${s};\n`).join(''));
    return 0;
  }
  if (!env.CLICKHOUSE_URL) {
    process.stderr.write('--apply needs CLICKHOUSE_URL (a ClickHouse server; the embedded engine has no users)\n');
    return 2;
  }
  const ch = await openClickHouse({
    kind: 'server',
    url: env.CLICKHOUSE_URL,
    username: env.CLICKHOUSE_USER,
    password: env.CLICKHOUSE_PASSWORD,
    database: env.CLICKHOUSE_DATABASE,
  });
  try {
    for (const statement of statements) await ch.command(statement);
  } finally {
    await ch.close();
  }
  process.stdout.write(
    `${JSON.stringify({ workspace_id: workspaceId, user: analystUserName(workspaceId), password, database: env.CLICKHOUSE_DATABASE }, null, 2)}\n`,
  );
  return 0;
}
