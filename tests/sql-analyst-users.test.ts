// `analysts create`: every statement it generates parses with ClickHouse's own parser
// (embedded; no ClickHouse server runs in tests, so they are not executed here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analystUserStatements, analystViewStatements } from '@thumbline/clickhouse';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv('sql_analyst_users');
});
afterAll(() => env.cleanup());

const spec = {
  database: 'thumbline',
  workspaceId: 'shop-1',
  password: "p'ss\\word-0123456789",
  appUsers: ['thumbline', 'thumbline_sql'],
};

async function parse(statement: string): Promise<string> {
  const rows = await env.ch.query<{ f: string }>('SELECT formatQuerySingleLine({q:String}) AS f', { q: statement });
  return rows[0]?.f ?? '';
}

describe('analysts create', () => {
  it('generates statements ClickHouse parses as one statement each, of the expected kind', async () => {
    const statements = analystUserStatements(spec);
    const kinds = [];
    for (const statement of statements) {
      const formatted = await parse(statement);
      kinds.push(formatted.split(' ').slice(0, 2).join(' '));
    }
    expect(kinds).toEqual([
      'CREATE SETTINGS',
      'CREATE USER',
      'GRANT SELECT',
      'GRANT SELECT',
      'GRANT SELECT',
      'GRANT SELECT',
      'CREATE ROW',
      'CREATE ROW',
    ]);
    const all = (await Promise.all(statements.map(parse))).join('\n');
    expect(all).toContain("USING workspace_id = 'shop-1' TO `analyst_shop-1`");
    // Thumbline's own users (the app and the one analyst SQL runs as) keep reading every row.
    expect(all).toMatch(/USING 1 TO thumbline, thumbline_sql/);
    expect(all).toMatch(/max_execution_time = 10 CONST/);
    expect(all).toMatch(/readonly = 1/);
    expect(all).toMatch(/HOST LOCAL/);
    for (const table of ['events', 'feedback_changes', 'feedback_15m', 'conversations']) {
      expect(all).toContain(`GRANT SELECT ON thumbline.${table} TO \`analyst_shop-1\``);
    }
  });

  it('quotes the password and takes a host range', async () => {
    const statements = analystUserStatements({ ...spec, hostIp: '10.0.0.0/8' });
    const user = statements.find((s) => s.startsWith('CREATE USER')) ?? '';
    expect(await parse(user)).toMatch(/HOST IP '10.0.0.0\/8'/);
    expect(user).toContain("BY 'p\\'ss\\\\word-0123456789'");
  });

  it('refuses workspace ids, databases and hosts that are not plain names', () => {
    for (const bad of [
      { workspaceId: "w'; DROP USER default; --" },
      { workspaceId: 'w`x' },
      { database: 'a; DROP' },
      { hostIp: "1.2.3.4' OR 1" },
      { password: 'short' },
    ]) {
      expect(() => analystUserStatements({ ...spec, ...bad }), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('analyst views on a cluster and the API user grant (parsed, not run: no server here)', () => {
  it('parses the ON CLUSTER views and the wildcard grant of docker-compose.yml', async () => {
    for (const statement of analystViewStatements('thumbline', 'shop-1', 'thumbline_cluster')) {
      const formatted = await parse(statement);
      expect(formatted).toMatch(/^CREATE (DATABASE IF NOT EXISTS|OR REPLACE VIEW) thumbline_analyst_73686f702d31/);
      expect(formatted).toContain('ON CLUSTER thumbline_cluster');
      if (formatted.startsWith('CREATE OR REPLACE VIEW')) {
        expect(formatted).toContain('SQL SECURITY DEFINER AS SELECT * FROM thumbline.');
        expect(formatted).toMatch(/PREWHERE workspace_id = 'shop-1'$/);
      }
    }
    const compose = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');
    const grant = /<grants><query>(GRANT [^<]+)<\/query><\/grants>/.exec(compose)?.[1] ?? '';
    // users.xml grants name no grantee (the user they sit in); ClickHouse's parser wants one.
    expect(await parse(`${grant} TO thumbline_sql`)).toBe('GRANT SELECT ON thumbline_analyst_*.* TO thumbline_sql');
  });
});
