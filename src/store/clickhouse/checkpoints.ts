import { clickhouseLiteral } from '../../query/clickhouse-dialect.js';
import type { ClickHouseConnection } from './connection.js';

/** A signed checkpoint of one log as stored: the note and the Merkle frontier at its size. */
export interface ClickHouseCheckpointRow {
  log: string;
  size: number;
  /** When it was signed, epoch milliseconds (also inside the note). */
  signedAt: number;
  note: string;
  /** MerkleFrontier.serialize() at `size`. */
  frontier: Buffer;
}

interface RawRow {
  log: string;
  size: number;
  signedAt: number;
  note: string;
  frontier: string;
}

const COLUMNS = 'log, size, signed_at AS signedAt, note, frontier';
const PAGE = 1000;

/** The `checkpoints` table (created with the store's schema): every log's signed checkpoints, by ascending size. */
export class ClickHouseCheckpoints {
  constructor(private readonly connection: ClickHouseConnection) {}

  async insert(row: ClickHouseCheckpointRow): Promise<void> {
    await this.connection.insert(
      'checkpoints',
      [{ log: row.log, size: row.size, signed_at: row.signedAt, note: row.note, frontier: row.frontier.toString('base64') }],
      `storing the checkpoint of log "${row.log}" at size ${row.size}`,
    );
  }

  async latest(log: string): Promise<ClickHouseCheckpointRow | undefined> {
    const rows = await this.connection.rows<RawRow>(
      `SELECT ${COLUMNS} FROM checkpoints WHERE log = ${clickhouseLiteral(log)} ORDER BY size DESC, signed_at DESC LIMIT 1`,
      `reading the latest checkpoint of log "${log}"`,
    );
    return rows.length === 0 ? undefined : decode(rows[0]);
  }

  async atSize(log: string, size: number): Promise<ClickHouseCheckpointRow | undefined> {
    const rows = await this.connection.rows<RawRow>(
      `SELECT ${COLUMNS} FROM checkpoints WHERE log = ${clickhouseLiteral(log)} AND size = ${size} ORDER BY signed_at LIMIT 1`,
      `reading the checkpoint of log "${log}" at size ${size}`,
    );
    return rows.length === 0 ? undefined : decode(rows[0]);
  }

  /** Every checkpoint of the log by ascending size (several at one size when a signer re-signed), a page at a time. */
  async *ascending(log: string): AsyncGenerator<ClickHouseCheckpointRow> {
    for (let offset = 0; ; offset += PAGE) {
      const rows = await this.connection.rows<RawRow>(
        `SELECT ${COLUMNS} FROM checkpoints WHERE log = ${clickhouseLiteral(log)} ORDER BY size, signed_at, note LIMIT ${offset}, ${PAGE}`,
        `reading the checkpoints of log "${log}"`,
      );
      for (const row of rows) yield decode(row);
      if (rows.length < PAGE) return;
    }
  }
}

function decode(row: RawRow): ClickHouseCheckpointRow {
  return { ...row, frontier: Buffer.from(row.frontier, 'base64') };
}
