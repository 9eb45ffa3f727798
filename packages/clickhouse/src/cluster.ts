import type { ClickHouse } from './client.ts';
import type { Settings } from './settings.ts';

/** How many shards the cluster has and the fewest replicas any shard has. */
export interface ClusterTopology {
  name: string;
  shards: number;
  replicas: number;
}

/** Reads the cluster from the server's `remote_servers`; refuses a name the server does not know. */
export async function clusterTopology(ch: ClickHouse, name: string): Promise<ClusterTopology> {
  const rows = await ch.query<{ shard_num: number; replicas: number }>(
    `SELECT shard_num, count() AS replicas FROM system.clusters WHERE cluster = {name:String} GROUP BY shard_num`,
    { name },
  );
  if (rows.length === 0) {
    throw new Error(
      `CLICKHOUSE_CLUSTER=${name}: no such cluster in this ClickHouse's remote_servers${ch.embedded ? ' (embedded ClickHouse has none: set CLICKHOUSE_URL)' : ''}`,
    );
  }
  return { name, shards: rows.length, replicas: Math.min(...rows.map((r) => Number(r.replicas))) };
}

/**
 * Settings every statement on a cluster carries, so a read sees every write the app was told
 * about (a live delta, a seq) whichever replica answers it:
 * - inserts into Distributed tables reach the shards before the INSERT returns
 *   (`distributed_foreground_insert`), and each shard's block is on all of its replicas
 *   (`insert_quorum` = replicas per shard) before it is acknowledged. `select_sequential_consistency`
 *   would allow a smaller quorum but needs `insert_quorum_parallel = 0`, which refuses concurrent
 *   inserts into a table: every worker but one would fail.
 * - `insert_quorum_timeout` below the client's 30 s insert deadline, so ClickHouse reports a
 *   missing replica itself; the batch is retried with its dedup token.
 * - reads: `distributed_product_mode = 'local'` runs `IN`/`JOIN` subqueries over a Distributed
 *   table on each shard's own rows; exact because a workspace lives on one shard.
 */
export function clusterSettings(topology: ClusterTopology): { insert: Settings; read: Settings } {
  return {
    insert: {
      distributed_foreground_insert: 1,
      ...(topology.replicas >= 2 ? { insert_quorum: topology.replicas, insert_quorum_timeout: 20_000 } : {}),
    },
    read: { distributed_product_mode: 'local' },
  };
}

/**
 * `ch` with `settings` added under every insert and read (the caller's own settings win).
 * Everything else passes through untouched.
 */
export function withSettings(ch: ClickHouse, settings: { insert: Settings; read: Settings }): ClickHouse {
  const overrides: Partial<ClickHouse> = {
    insert: (table, rows, own, columns) => ch.insert(table, rows, { ...settings.insert, ...own }, columns),
    query: (sql, params, own) => ch.query(sql, params, { ...settings.read, ...own }),
    queryCompact: (sql, params, own, maxBytes, database) =>
      ch.queryCompact(sql, params, { ...settings.read, ...own }, maxBytes, database),
  };
  return new Proxy(ch, {
    get(target, prop) {
      const own = overrides[prop as keyof ClickHouse];
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `ch` set up for the cluster `name`: checked against the server, with the cluster's settings. */
export async function onCluster(ch: ClickHouse, name: string): Promise<ClickHouse> {
  const clustered = withSettings(ch, clusterSettings(await clusterTopology(ch, name)));
  return new Proxy(clustered, { get: (target, prop) => (prop === 'cluster' ? name : Reflect.get(target, prop)) });
}
