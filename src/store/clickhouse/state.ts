import { clickhouseLiteral } from '../../query/clickhouse-dialect.js';
import type { ClickHouseConnection } from './connection.js';

/** The `state` table: small values by key; the highest version of a key is its value. */
export class StateTable {
  private lastVersion = 0;

  constructor(private readonly connection: ClickHouseConnection) {}

  async read(key: string): Promise<string | undefined> {
    // argMax rather than FINAL: right before and after ReplacingMergeTree merges the versions away.
    const rows = await this.connection.rows<{ value: string; versions: number }>(
      `SELECT argMax(value, version) AS value, count() AS versions FROM state WHERE key = ${clickhouseLiteral(key)}`,
      `reading state "${key}"`,
    );
    return rows.length === 0 || rows[0].versions === 0 ? undefined : rows[0].value;
  }

  /**
   * Writes a value; `version` defaults to a clock in microseconds that never repeats or goes back
   * within this process, so the last write of one writer wins.
   */
  async write(key: string, value: string, version = this.nextVersion()): Promise<void> {
    await this.connection.insert('state', [{ key, value, version }], `writing state "${key}"`);
  }

  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }
}
