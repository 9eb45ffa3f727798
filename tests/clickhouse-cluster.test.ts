// CLICKHOUSE_CLUSTER: every statement the migrations become on a cluster, through ClickHouse's own
// parser (embedded). No ClickHouse cluster runs in tests (no server, no Keeper), so these
// statements are parsed and checked here, not executed; docs/scaling.md says what that leaves out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterBootstrap,
  clusterMigrations,
  clusterSettings,
  clusterTopology,
  loadMigrations,
  settingsClause,
  TABLES,
  withSettings,
} from '@thumbline/clickhouse';
import { openTestEnv, type TestEnv } from './support/harness.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await openTestEnv('clickhouse_cluster'); // migrated on one node, as npm start does
});
afterAll(() => env.cleanup());

const target = { cluster: 'thumbline', database: 'thumbline' };

async function parse(statement: string): Promise<string> {
  const rows = await env.ch.query<{ f: string }>('SELECT formatQuerySingleLine({q:String}) AS f', { q: statement });
  return rows[0]?.f ?? '';
}

async function clusterDdl(): Promise<string[]> {
  const statements = [
    ...clusterBootstrap(target, TABLES.migrations),
    ...clusterMigrations(loadMigrations(), target).flatMap((m) => m.statements),
  ];
  return Promise.all(statements.map(parse));
}

/** `CREATE … thumbline.<name> ON CLUSTER …` statements by name. */
function byName(ddl: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const s of ddl) {
    const name = /^CREATE (?:TABLE|MATERIALIZED VIEW) IF NOT EXISTS thumbline\.(\w+) /.exec(s)?.[1];
    if (name) map.set(name, s);
  }
  return map;
}

describe('cluster DDL from the migration files', () => {
  it('parses, and every statement runs ON CLUSTER on qualified names', async () => {
    const ddl = await clusterDdl();
    expect(ddl.length).toBeGreaterThan(loadMigrations().length);
    for (const s of ddl) {
      expect(s).toMatch(/ ON CLUSTER thumbline( |$)/);
      expect(s).not.toMatch(/non_replicated_deduplication_window/);
    }
  });

  it('gives every MergeTree table of the single-node schema a replicated local table and a Distributed table', async () => {
    const tables = await env.ch.query<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND name != {m:String} ORDER BY name`,
      { m: TABLES.migrations },
    );
    const ddl = byName(await clusterDdl());
    for (const { name, engine } of tables) {
      if (engine.endsWith('MergeTree')) {
        expect(ddl.get(`${name}_local`), name).toContain(
          `ENGINE = Replicated${engine}('/clickhouse/tables/{shard}/{database}/{table}', '{replica}'`,
        );
        expect(ddl.get(name), name).toBe(
          `CREATE TABLE IF NOT EXISTS thumbline.${name} ON CLUSTER thumbline AS thumbline.${name}_local ENGINE = Distributed(thumbline, thumbline, ${name}_local, cityHash64(workspace_id))`,
        );
      } else {
        expect(ddl.get(name), name).toContain(' ON CLUSTER thumbline ');
        expect(ddl.has(`${name}_local`), name).toBe(false);
      }
    }
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'events',
        'events_gate',
        'feedback_changes',
        'feedback_15m',
        'feedback_15m_mv',
        'conversations',
      ]),
    );
  });

  it('keeps each engine and its arguments, with the replicated dedup windows', async () => {
    const ddl = byName(await clusterDdl());
    expect(ddl.get('events_local')).toMatch(
      /ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'\) PARTITION BY toYYYYMM\(ts\) ORDER BY \(workspace_id, conversation_id, ts, event_id\) SETTINGS replicated_deduplication_window = 10000, replicated_deduplication_window_seconds = 604800$/,
    );
    expect(ddl.get('feedback_15m_local')).toContain('ENGINE = ReplicatedSummingMergeTree(');
    expect(ddl.get('conversations_local')).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', version)",
    );
    // Every node has the gate, with the columns (and conversions) of the table it stands for.
    expect(ddl.get('events_gate')).toBe(
      'CREATE TABLE IF NOT EXISTS thumbline.events_gate ON CLUSTER thumbline AS thumbline.events_local ENGINE = `Null`',
    );
    // The view fires where a block lands and writes the local table of the same shard.
    expect(ddl.get('feedback_15m_mv')).toMatch(
      /^CREATE MATERIALIZED VIEW IF NOT EXISTS thumbline\.feedback_15m_mv ON CLUSTER thumbline TO thumbline\.feedback_15m_local AS SELECT .* FROM thumbline\.feedback_changes_local GROUP BY workspace_id, bucket$/,
    );
  });

  it('alters the local and the Distributed table for a new column', async () => {
    const alters = (await clusterDdl()).filter((s) => s.startsWith('ALTER'));
    expect(alters).toEqual([
      "ALTER TABLE thumbline.conversations_local ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `committed_at` DateTime64(3, 'UTC') DEFAULT updated_at)",
      "ALTER TABLE thumbline.conversations ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `committed_at` DateTime64(3, 'UTC') DEFAULT updated_at)",
      ...alters.slice(2),
    ]);
    // 0006: segment columns on both tables; the sorting key and the view's query on the local tables.
    const segments = alters.slice(2, 9).join('\n');
    expect(segments).toMatch(
      /^ALTER TABLE thumbline\.feedback_15m_local ON CLUSTER thumbline \(ADD COLUMN .*MODIFY ORDER BY \(workspace_id, bucket, widget_id, locale\)\)$/m,
    );
    expect(segments).toMatch(
      /^ALTER TABLE thumbline\.feedback_15m ON CLUSTER thumbline \(ADD COLUMN .*`responded` Int64\)$/m,
    );
    expect(segments).toMatch(
      /^ALTER TABLE thumbline\.feedback_15m_mv ON CLUSTER thumbline \(MODIFY QUERY SELECT .* FROM thumbline\.feedback_changes_local GROUP BY workspace_id, bucket, widget_id, locale\)$/m,
    );
    for (const table of ['feedback_changes', 'conversations']) {
      expect(segments).toContain(
        `ALTER TABLE thumbline.${table}_local ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS \`widget_id\``,
      );
      expect(segments).toContain(
        `ALTER TABLE thumbline.${table} ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS \`widget_id\``,
      );
    }
    // 0007: sources on events; the gate is the same Null table on every node and changes with it.
    expect(alters.slice(9, 12)).toEqual([
      'ALTER TABLE thumbline.events_local ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `sources` Array(Tuple(id String, title String, url String)))',
      'ALTER TABLE thumbline.events ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `sources` Array(Tuple(id String, title String, url String)))',
      'ALTER TABLE thumbline.events_gate ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `sources` Array(Tuple(id String, title String, url String)))',
    ]);
    // 0009: the archive's TTL lives on the local table only.
    expect(alters.slice(12, 13)).toEqual([
      'ALTER TABLE thumbline.state_archive_local ON CLUSTER thumbline (MODIFY TTL archived_at + toIntervalYear(10))',
    ]);
    // 0011: the search indexes, like every index, live on the local tables only.
    expect(alters.slice(13, 17)).toEqual([
      expect.stringMatching(
        /^ALTER TABLE thumbline\.events_local ON CLUSTER thumbline \(ADD INDEX IF NOT EXISTS text_search /,
      ),
      'ALTER TABLE thumbline.events_local ON CLUSTER thumbline (MATERIALIZE INDEX text_search)',
      expect.stringMatching(
        /^ALTER TABLE thumbline\.conversations_local ON CLUSTER thumbline \(ADD INDEX IF NOT EXISTS reason_search /,
      ),
      'ALTER TABLE thumbline.conversations_local ON CLUSTER thumbline (MATERIALIZE INDEX reason_search)',
    ]);
    // 0015: shopper_id on events, like 0007's sources.
    expect(alters.slice(17, 20)).toEqual([
      'ALTER TABLE thumbline.events_local ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `shopper_id` String)',
      'ALTER TABLE thumbline.events ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `shopper_id` String)',
      'ALTER TABLE thumbline.events_gate ON CLUSTER thumbline (ADD COLUMN IF NOT EXISTS `shopper_id` String)',
    ]);
    expect(alters).toHaveLength(2 + 7 + 3 + 1 + 4 + 3);
  });

  it('keeps migration records in one replication group over every node, and creates the database everywhere', async () => {
    const [db, records] = await Promise.all(clusterBootstrap(target, TABLES.migrations).map(parse));
    expect(db).toBe('CREATE DATABASE IF NOT EXISTS thumbline ON CLUSTER thumbline');
    expect(records).toContain(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{shard}-{replica}', applied_at) ORDER BY version",
    );
  });

  it('names only MergeTree settings and engines this ClickHouse has', async () => {
    const ddl = await clusterDdl();
    const settings = new Set(
      ddl.flatMap((s) => [...(/ SETTINGS (.*)$/.exec(s)?.[1]?.matchAll(/(\w+) = /g) ?? [])].map((m) => m[1] as string)),
    );
    expect(settings.size).toBeGreaterThan(0);
    const known = await env.ch.query<{ name: string }>(
      'SELECT name FROM system.merge_tree_settings WHERE name IN {names:Array(String)}',
      { names: [...settings] },
    );
    expect(known.map((r) => r.name).sort()).toEqual([...settings].sort());
    const engines = new Set(ddl.flatMap((s) => [...s.matchAll(/ENGINE = `?(\w+)/g)].map((m) => m[1] as string)));
    const have = await env.ch.query<{ name: string }>(
      'SELECT name FROM system.table_engines WHERE name IN {e:Array(String)}',
      {
        e: [...engines],
      },
    );
    expect(have.map((r) => r.name).sort()).toEqual([...engines].sort());
    expect([...engines].sort()).toEqual([
      'Distributed',
      'Null',
      'ReplicatedMergeTree',
      'ReplicatedReplacingMergeTree',
      'ReplicatedSummingMergeTree',
    ]);
  });

  it('leaves the single-node statements as they are in the files', () => {
    const files = loadMigrations();
    const translated = clusterMigrations(files, target);
    expect(translated.map((m) => [m.version, m.checksum])).toEqual(files.map((m) => [m.version, m.checksum]));
    expect(files.flatMap((m) => m.statements).join('\n')).not.toMatch(/ON CLUSTER|Replicated|Distributed/);
  });
});

describe('cluster settings', () => {
  it('are settings and values this ClickHouse accepts', async () => {
    const s = clusterSettings({ name: 'thumbline', shards: 2, replicas: 2 });
    expect(s.insert).toEqual({ distributed_foreground_insert: 1, insert_quorum: 2, insert_quorum_timeout: 20_000 });
    expect(s.read).toEqual({ distributed_product_mode: 'local' });
    const rows = await env.ch.query<{ v: string }>(
      `SELECT toString(getSetting('insert_quorum')) AS v ${settingsClause({ ...s.insert, ...s.read })}`,
    );
    expect(rows[0]?.v).toBe('2');
    // One replica per shard: no quorum to wait for.
    expect(clusterSettings({ name: 'x', shards: 3, replicas: 1 }).insert).toEqual({ distributed_foreground_insert: 1 });
  });

  it("go under every insert and read, and the caller's own settings win", async () => {
    await env.ch.command(
      "CREATE TABLE IF NOT EXISTS cluster_probe (m UInt8, at DateTime('UTC')) ENGINE = MergeTree ORDER BY m",
    );
    const ch = withSettings(env.ch, {
      insert: { date_time_input_format: 'best_effort' },
      read: { max_result_rows: 1, result_overflow_mode: 'throw' },
    });
    const rows = [
      { m: 1, at: '2026-01-01T00:00:00Z' },
      { m: 2, at: '2026-01-01T00:00:00Z' },
    ];
    await expect(ch.insert('cluster_probe', rows, { date_time_input_format: 'basic' })).rejects.toThrow();
    await ch.insert('cluster_probe', rows);
    await expect(ch.query('SELECT m FROM cluster_probe')).rejects.toThrow(/limit/i);
    expect(await ch.query('SELECT m FROM cluster_probe ORDER BY m', {}, { max_result_rows: 10 })).toEqual([
      { m: 1 },
      { m: 2 },
    ]);
    await expect(ch.queryCompact('SELECT m FROM cluster_probe')).rejects.toThrow(/limit/i);
    // The rest is the wrapped client's own.
    expect(ch.database).toBe(env.ch.database);
    expect(await ch.ping()).toBe(true);
    // Nothing leaked into the session (ARCHITECTURE's chDB pitfall): the plain client reads both rows.
    expect(await env.ch.query('SELECT m FROM cluster_probe ORDER BY m')).toEqual([{ m: 1 }, { m: 2 }]);
  });

  it('refuse a cluster the server does not define', async () => {
    await expect(clusterTopology(env.ch, 'thumbline')).rejects.toThrow(/no such cluster.*set CLICKHOUSE_URL/);
  });
});
