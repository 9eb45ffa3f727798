// The cluster translation on its own (strings only); tests/clickhouse-cluster.test.ts runs every
// generated statement through ClickHouse's parser.
import { describe, expect, it } from 'vitest';
import { clusterBootstrap, ClusterDdl, ClusterDdlError } from './cluster-ddl.ts';

const target = { cluster: 'c1', database: 'db' };
const TABLE = `CREATE TABLE IF NOT EXISTS t
(
    workspace_id LowCardinality(String),
    x            Nullable(UInt8) COMMENT 'a, b (c)'
)
ENGINE = MergeTree
ORDER BY (workspace_id, x)
SETTINGS non_replicated_deduplication_window = 100`;

function ddl(): ClusterDdl {
  const d = new ClusterDdl(target);
  d.translate(TABLE);
  return d;
}

describe('ClusterDdl', () => {
  it('makes a MergeTree table a replicated local table and a Distributed table by workspace', () => {
    const [local, dist] = new ClusterDdl(target).translate(TABLE);
    expect(local).toMatch(/^CREATE TABLE IF NOT EXISTS db\.t_local ON CLUSTER c1 \(/);
    expect(local).toContain(
      "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')",
    );
    expect(local).toContain('replicated_deduplication_window = 100, replicated_deduplication_window_seconds = 604800');
    expect(local).not.toContain('non_replicated');
    expect(dist).toBe(
      'CREATE TABLE IF NOT EXISTS db.t ON CLUSTER c1 AS db.t_local ENGINE = Distributed(c1, db, t_local, cityHash64(workspace_id))',
    );
  });

  it('keeps engine arguments after the replication path', () => {
    const [local] = new ClusterDdl(target).translate(
      'CREATE TABLE IF NOT EXISTS r (workspace_id String, v UInt64) ENGINE = ReplacingMergeTree(v) ORDER BY workspace_id',
    );
    expect(local).toContain(
      "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', v)",
    );
  });

  it('puts tables that store nothing on every node, built on the local table of a sharded source', () => {
    expect(ddl().translate('CREATE TABLE IF NOT EXISTS g AS t ENGINE = Null')).toEqual([
      'CREATE TABLE IF NOT EXISTS db.g ON CLUSTER c1 AS db.t_local ENGINE = Null',
    ]);
  });

  it('points views at local tables', () => {
    const d = ddl();
    d.translate(TABLE.replace('EXISTS t', 'EXISTS s'));
    const [mv] = d.translate(
      'CREATE MATERIALIZED VIEW IF NOT EXISTS m TO s AS\nSELECT workspace_id, x FROM t GROUP BY workspace_id, x',
    );
    expect(mv).toBe(
      'CREATE MATERIALIZED VIEW IF NOT EXISTS db.m ON CLUSTER c1 TO db.s_local AS SELECT workspace_id, x FROM db.t_local GROUP BY workspace_id, x',
    );
  });

  it('alters columns on both tables, anything else on the local table only', () => {
    const d = ddl();
    expect(
      d.translate("ALTER TABLE t ADD COLUMN IF NOT EXISTS y String DEFAULT concat('a', 'b'), COMMENT COLUMN x 'z'"),
    ).toEqual([
      "ALTER TABLE db.t_local ON CLUSTER c1 ADD COLUMN IF NOT EXISTS y String DEFAULT concat('a', 'b'), COMMENT COLUMN x 'z'",
      "ALTER TABLE db.t ON CLUSTER c1 ADD COLUMN IF NOT EXISTS y String DEFAULT concat('a', 'b'), COMMENT COLUMN x 'z'",
    ]);
    expect(d.translate('ALTER TABLE t MODIFY TTL toDate(x) + 1')).toEqual([
      'ALTER TABLE db.t_local ON CLUSTER c1 MODIFY TTL toDate(x) + 1',
    ]);
    expect(d.translate('ALTER TABLE g ADD COLUMN y String')).toEqual([
      'ALTER TABLE db.g ON CLUSTER c1 ADD COLUMN y String',
    ]);
  });

  it('adds columns and puts them in the sorting key of the local table; the Distributed table gets the columns', () => {
    expect(
      ddl().translate('ALTER TABLE t ADD COLUMN IF NOT EXISTS y String, MODIFY ORDER BY (workspace_id, x, y)'),
    ).toEqual([
      'ALTER TABLE db.t_local ON CLUSTER c1 ADD COLUMN IF NOT EXISTS y String, MODIFY ORDER BY (workspace_id, x, y)',
      'ALTER TABLE db.t ON CLUSTER c1 ADD COLUMN IF NOT EXISTS y String',
    ]);
  });

  it("points a view's new query at local tables", () => {
    const d = ddl();
    d.translate(TABLE.replace('EXISTS t', 'EXISTS s'));
    expect(d.translate('ALTER TABLE m MODIFY QUERY\nSELECT workspace_id, x FROM t GROUP BY workspace_id, x')).toEqual([
      'ALTER TABLE db.m ON CLUSTER c1 MODIFY QUERY SELECT workspace_id, x FROM db.t_local GROUP BY workspace_id, x',
    ]);
    expect(() => d.translate('ALTER TABLE m MODIFY QUERY SELECT 1 AS x FROM system.one')).toThrow(ClusterDdlError);
  });

  it('refuses what it cannot run everywhere', () => {
    const d = ddl();
    for (const bad of [
      'DROP TABLE t',
      'INSERT INTO t VALUES (1)',
      'CREATE TABLE t (workspace_id String) ENGINE = MergeTree ORDER BY workspace_id',
      'CREATE TABLE IF NOT EXISTS n (id String) ENGINE = MergeTree ORDER BY id',
      'CREATE TABLE IF NOT EXISTS n AS unknown ENGINE = MergeTree ORDER BY id',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS m ENGINE = MergeTree ORDER BY x AS SELECT x FROM t',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS m TO t AS SELECT 1 AS x FROM system.one',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS m TO other AS SELECT x FROM t',
      'ALTER TABLE t ADD COLUMN y String, MODIFY TTL toDate(x) + 1',
    ]) {
      expect(() => d.translate(bad), bad).toThrow(ClusterDdlError);
    }
  });

  it('refuses cluster and database names that are not plain identifiers', () => {
    expect(() => new ClusterDdl({ cluster: 'c; DROP', database: 'db' })).toThrow();
    expect(() => clusterBootstrap({ cluster: 'c1', database: 'a.b' }, 'schema_migrations')).toThrow();
  });
});
