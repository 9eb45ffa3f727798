/** One migration file of clickhouse/ as the runner applies it (migrate.ts; cluster-ddl.ts translates it). */
export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}
