import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';
import { hasTable } from './ledger-meta.js';
import { EVENT_COLUMNS } from './schema.js';

/**
 * Reads the whole store in leaf order for `vigil verify`: the recorded leaf hashes and every row
 * of every partition table, a chunk of seqs at a time, so memory stays at one chunk however many
 * records there are. Partition tables are found in the schema, not in the `partitions` index, so
 * a table added or unlisted behind Vigil's back is read too.
 */

const PARTITION_TABLE = /^events_(\d{8})$/;

/** Every partition table in the database, oldest day first. */
export function listPartitionTables(db: SqliteDatabase): string[] {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'events\\_%' ESCAPE '\\'").pluck().all() as string[];
  return names.filter((name) => PARTITION_TABLE.test(name)).sort();
}

export function dayOfTable(table: string): string {
  const match = PARTITION_TABLE.exec(table);
  if (!match) throw new Error(`${table} is not a partition table (events_YYYYMMDD)`);
  return match[1];
}

/**
 * One stored row as read for verification: its seq, the day of the table it sits in, the three
 * values the leaf commits to (as stored, so possibly not text after tampering) and the other
 * columns as one SQLite `json_array(...)` text in `COMPARED_COLUMNS` order (null when the table
 * could not give them).
 */
export type ScannedRow = [seq: number, day: string, source: unknown, cluster: unknown, record: unknown, columns: string | null];

/** The columns compared against the values re-derived from each record, in `json_array` order. */
export const COMPARED_COLUMNS: readonly string[] = EVENT_COLUMNS.filter((column) => column !== 'seq' && column !== 'record');

export interface ScanChunk {
  from: number;
  to: number;
  /** Recorded leaf hashes for seqs in [from, to), ascending. */
  leaves: Array<[seq: number, hash: Buffer]>;
  /** Rows of every partition with seq in [from, to), ascending (a seq twice when two tables claim it). */
  rows: ScannedRow[];
}

export interface PartitionExtent {
  table: string;
  day: string;
  minSeq: number;
  maxSeq: number;
}

/** Problems met while reading: a table that cannot be read is reported, not fatal. */
export type ScanProblem = (message: string) => void;

export class LedgerScanner {
  readonly partitions: PartitionExtent[];
  /** One past the largest seq held anywhere (leaves or partitions). */
  readonly end: number;
  private readonly leafRange: Statement | undefined;
  private readonly rowRanges = new Map<string, Statement>();
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly report: ScanProblem,
  ) {
    this.partitions = this.readExtents();
    this.leafRange = hasTable(db, 'leaves') ? db.prepare('SELECT seq, hash FROM leaves WHERE seq >= ? AND seq < ? ORDER BY seq').raw() : undefined;
    const maxLeaf = this.leafRange ? ((db.prepare('SELECT max(seq) FROM leaves').pluck().get() as number | null) ?? -1) : -1;
    this.end = Math.max(maxLeaf, ...this.partitions.map((p) => p.maxSeq)) + 1;
  }

  *chunks(chunkSize: number): Generator<ScanChunk> {
    for (let from = 0; from < this.end; from += chunkSize) {
      const to = Math.min(this.end, from + chunkSize);
      yield { from, to, leaves: this.readLeaves(from, to), rows: this.readRows(from, to) };
    }
  }

  private readLeaves(from: number, to: number): Array<[number, Buffer]> {
    return this.leafRange ? (this.leafRange.all(from, to) as Array<[number, Buffer]>) : [];
  }

  private readRows(from: number, to: number): ScannedRow[] {
    let rows: ScannedRow[] = [];
    let tablesRead = 0;
    for (const partition of this.partitions) {
      if (partition.maxSeq < from || partition.minSeq >= to || this.unreadable.has(partition.table)) continue;
      const found = this.readTableRows(partition, from, to);
      if (found.length === 0) continue;
      rows = tablesRead === 0 ? found : rows.concat(found);
      tablesRead += 1;
    }
    if (tablesRead > 1) rows.sort((a, b) => a[0] - b[0]);
    return rows;
  }

  private readTableRows(partition: PartitionExtent, from: number, to: number): ScannedRow[] {
    try {
      return this.rowStatement(partition, 'fast').all(from, to) as ScannedRow[];
    } catch {
      // A value SQLite's json_array cannot hold (a BLOB written behind Vigil's back): read it typed.
    }
    try {
      return this.rowStatement(partition, 'typed').all(from, to) as ScannedRow[];
    } catch (error) {
      this.unreadable.add(partition.table);
      this.report(`partition table ${partition.table} cannot be read (${(error as Error).message}); its rows count as missing`);
      return [];
    }
  }

  private rowStatement(partition: PartitionExtent, mode: 'fast' | 'typed'): Statement {
    const key = `${mode}:${partition.table}`;
    let statement = this.rowRanges.get(key);
    if (!statement) {
      const columns = mode === 'fast' ? COMPARED_COLUMNS : COMPARED_COLUMNS.map(typedColumn);
      const day = `'${partition.day}'`;
      statement = this.db
        .prepare(`SELECT seq, ${day}, source, cluster, record, json_array(${columns.join(', ')}) FROM ${partition.table} WHERE seq >= ? AND seq < ? ORDER BY seq`)
        .raw();
      this.rowRanges.set(key, statement);
    }
    return statement;
  }

  private readExtents(): PartitionExtent[] {
    const extents: PartitionExtent[] = [];
    for (const table of listPartitionTables(this.db)) {
      try {
        const extent = this.db.prepare(`SELECT min(seq) AS minSeq, max(seq) AS maxSeq FROM ${table}`).get() as { minSeq: number | null; maxSeq: number | null };
        if (extent.minSeq !== null && extent.maxSeq !== null) extents.push({ table, day: dayOfTable(table), minSeq: extent.minSeq, maxSeq: extent.maxSeq });
      } catch (error) {
        this.report(`partition table ${table} cannot be read (${(error as Error).message}); its rows count as missing`);
      }
    }
    return extents;
  }
}

/** A BLOB cannot go into json_array; it is passed as text that can never equal a re-derived value. */
function typedColumn(column: string): string {
  return `iif(typeof(${column}) = 'blob', 'BLOB x''' || hex(${column}) || '''', ${column})`;
}
