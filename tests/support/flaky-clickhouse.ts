// Fault injection at the ClickHouse client seam: the real embedded engine behind our own
// interface, with switches that make it unreachable or refuse particular batches.
import type { ClickHouse } from '@thumbline/clickhouse';

export class FlakyClickHouse implements ClickHouse {
  /** Every call fails, as if the server were down. */
  down = false;
  /** Inserts whose rows contain this text fail, as a poison batch would. */
  poison: string | null = null;
  /** Inserts into this table fail, as if the server went away mid-batch. */
  failTable: string | null = null;
  inserts = 0;
  failures = 0;

  constructor(private readonly real: ClickHouse) {}

  get database() {
    return this.real.database;
  }
  get embedded() {
    return this.real.embedded;
  }

  private check(): void {
    if (this.down) {
      this.failures++;
      throw new Error('ClickHouse unreachable (injected)');
    }
  }

  query<T>(...args: Parameters<ClickHouse['query']>): Promise<T[]> {
    this.check();
    return this.real.query<T>(...args);
  }
  queryCompact(...args: Parameters<ClickHouse['queryCompact']>) {
    this.check();
    return this.real.queryCompact(...args);
  }
  command(...args: Parameters<ClickHouse['command']>) {
    this.check();
    return this.real.command(...args);
  }
  async insert(
    table: string,
    rows: readonly object[],
    settings?: Parameters<ClickHouse['insert']>[2],
    columns?: readonly string[],
  ) {
    this.check();
    if (table === this.failTable) {
      this.failures++;
      throw new Error(`insert into ${table} failed (injected)`);
    }
    if (this.poison && JSON.stringify(rows).includes(this.poison)) {
      this.failures++;
      throw new Error('row refused (injected poison)');
    }
    this.inserts++;
    return this.real.insert(table, rows, settings, columns);
  }
  async ping() {
    return !this.down && this.real.ping();
  }
  close() {
    return this.real.close();
  }
}
