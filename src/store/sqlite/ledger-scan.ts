import type { Statement } from 'better-sqlite3';
import { type SqliteDatabase, openDatabase } from './database.js';
import { hasTable } from './ledger-meta.js';
import { EVENT_COLUMNS } from './schema.js';

/**
 * Reads the whole store in leaf order for `vigil verify`: the recorded leaf hashes and every row
 * of every partition table, a range of seqs at a time, so memory stays at a few ranges however
 * many records there are. Partition tables are found in the schema, not in the `partitions`
 * index, so a table added or unlisted behind Vigil's back is read too.
 */

const PARTITION_TABLE = /^events_(\d{8})$/;

/** A read-only connection for one pass over the store: a small page cache, as each page is read once. */
export function openScanConnection(dataDir: string): SqliteDatabase {
  const db = openDatabase(dataDir, { readonly: true });
  db.pragma('cache_size = -8192');
  return db;
}

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

export interface PartitionExtent {
  table: string;
  day: string;
  minSeq: number;
  maxSeq: number;
}

/** Problems met while reading: a table that cannot be read is reported, not fatal. */
export type ScanProblem = (message: string) => void;

/** Every non-empty partition table with its seq span; one that cannot be read is reported and left out. */
export function partitionExtents(db: SqliteDatabase, report: ScanProblem): PartitionExtent[] {
  const extents: PartitionExtent[] = [];
  for (const table of listPartitionTables(db)) {
    try {
      const extent = db.prepare(`SELECT min(seq) AS minSeq, max(seq) AS maxSeq FROM ${table}`).get() as { minSeq: number | null; maxSeq: number | null };
      if (extent.minSeq !== null && extent.maxSeq !== null) extents.push({ table, day: dayOfTable(table), minSeq: extent.minSeq, maxSeq: extent.maxSeq });
    } catch (error) {
      report(`partition table ${table} cannot be read (${(error as Error).message}); its rows count as missing`);
    }
  }
  return extents;
}

/** The recorded leaf hashes, a range at a time. */
export class LeafHashRanges {
  /** One past the largest seq with a recorded leaf hash. */
  readonly end: number;
  private readonly range: Statement | undefined;

  constructor(db: SqliteDatabase) {
    const present = hasTable(db, 'leaves');
    this.range = present ? db.prepare('SELECT seq, hash FROM leaves WHERE seq >= ? AND seq < ? ORDER BY seq').raw() : undefined;
    this.end = present ? ((db.prepare('SELECT max(seq) FROM leaves').pluck().get() as number | null) ?? -1) + 1 : 0;
  }

  /** [seq, hash] for seqs in [from, to), ascending. */
  read(from: number, to: number): Array<[seq: number, hash: Buffer]> {
    return this.range ? (this.range.all(from, to) as Array<[number, Buffer]>) : [];
  }
}

/** Rows of the partition tables by seq range, on whichever connection it is given (verify reads on worker threads). */
export class PartitionRows {
  private readonly statements = new Map<string, Statement>();
  private readonly unreadable = new Set<string>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly report: ScanProblem,
  ) {}

  /** Rows with seq in [from, to) of the partitions whose span meets it, ascending (a seq twice when two tables claim it). */
  read(from: number, to: number, partitions: readonly PartitionExtent[]): ScannedRow[] {
    let rows: ScannedRow[] = [];
    let tablesRead = 0;
    for (const partition of partitions) {
      if (partition.maxSeq < from || partition.minSeq >= to || this.unreadable.has(partition.table)) continue;
      const found = this.readTable(partition, from, to);
      if (found.length === 0) continue;
      rows = tablesRead === 0 ? found : rows.concat(found);
      tablesRead += 1;
    }
    if (tablesRead > 1) rows.sort((a, b) => a[0] - b[0]);
    return rows;
  }

  private readTable(partition: PartitionExtent, from: number, to: number): ScannedRow[] {
    try {
      return this.statement(partition, 'fast').all(from, to) as ScannedRow[];
    } catch {
      // A value SQLite's json_array cannot hold (a BLOB written behind Vigil's back): read it typed.
    }
    try {
      return this.statement(partition, 'typed').all(from, to) as ScannedRow[];
    } catch (error) {
      this.unreadable.add(partition.table);
      this.report(`partition table ${partition.table} cannot be read (${(error as Error).message}); its rows count as missing`);
      return [];
    }
  }

  private statement(partition: PartitionExtent, mode: 'fast' | 'typed'): Statement {
    const key = `${mode}:${partition.table}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const columns = mode === 'fast' ? COMPARED_COLUMNS : COMPARED_COLUMNS.map(typedColumn);
      statement = this.db
        .prepare(`SELECT seq, '${partition.day}', source, cluster, record, json_array(${columns.join(', ')}) FROM ${partition.table} WHERE seq >= ? AND seq < ? ORDER BY seq`)
        .raw();
      this.statements.set(key, statement);
    }
    return statement;
  }
}

/** A BLOB cannot go into json_array; it is passed as text that can never equal a re-derived value. */
function typedColumn(column: string): string {
  return `iif(typeof(${column}) = 'blob', 'BLOB x''' || hex(${column}) || '''', ${column})`;
}
