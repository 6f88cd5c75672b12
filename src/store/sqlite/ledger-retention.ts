import type { SqliteDatabase } from './database.js';
import { hasTable } from './ledger-meta.js';
import { dayOfTable, listPartitionTables } from './ledger-scan.js';
import { partitionDay, partitionTable } from './schema.js';

/**
 * Retention drops whole day partitions. The leaves (hashes) of their records stay, so proofs for
 * later records and consistency proofs still work; what goes is the rows, their full-text entries
 * and the partition index. Which leaf ranges went is kept in `retention_ranges` beside the seq of
 * the signed vigil.admin record that declares them (that record carries a digest of the ranges,
 * so the table cannot be widened afterwards without `verify` noticing). Rows matching the caller's
 * `keep` condition (the records that declare removals) stay in their partition whatever their age.
 */

/** Leaf indices [from, to). */
export interface SeqRange {
  from: number;
  to: number;
}

export interface DeclaredRange extends SeqRange {
  /** Seq of the retention record that declared the removal. */
  declaredBy: number;
}

export interface RetentionPlan {
  /** Partitions of days before this one (UTC, YYYYMMDD) go: all their records are older than the bound. */
  keepFromDay: string;
  /** SQL condition over a row aliased `e`: rows matching it stay. */
  keep: string;
  /** Partitions with rows to remove; a partition left empty is dropped. */
  tables: string[];
  days: string[];
  /** The leaf ranges of the rows in those tables, ascending, minus ranges already declared removed. */
  ranges: SeqRange[];
  removedRecords: number;
}

const KEEP_NOTHING = '0';

/** What `removeExpiredPartitions` would remove for records older than `cutoffMs`, leaving the rows that match `keep`. */
export function planRetention(db: SqliteDatabase, cutoffMs: number, keep: string = KEEP_NOTHING): RetentionPlan {
  const keepFromDay = partitionDay(cutoffMs);
  const perTable = listPartitionTables(db)
    .filter((table) => dayOfTable(table) < keepFromDay)
    .map((table) => ({ table, ranges: seqRangesOf(db, table, keep) }))
    .filter(({ ranges }) => ranges.length > 0);
  const tables = perTable.map(({ table }) => table);
  const ranges = subtractRanges(mergeRanges(perTable.flatMap(({ ranges }) => ranges)), readRetentionRanges(db));
  const removedRecords = ranges.reduce((sum, range) => sum + (range.to - range.from), 0);
  return { keepFromDay, keep, tables, days: tables.map(dayOfTable), ranges, removedRecords };
}

/** Empties the planned partitions but for the kept rows and records their ranges as declared by `declaredBy`; run it inside the caller's transaction. */
export function removeExpiredPartitions(db: SqliteDatabase, plan: RetentionPlan, declaredBy: number): void {
  const insertRange = db.prepare('INSERT INTO retention_ranges (from_seq, to_seq, declared_by) VALUES (?, ?, ?)');
  for (const range of plan.ranges) {
    if (range.to > declaredBy) throw new Error(`retention range [${range.from}, ${range.to}) must end before its declaring record at seq ${declaredBy}`);
    insertRange.run(range.from, range.to, declaredBy);
  }
  for (const table of plan.tables) removePartitionRows(db, dayOfTable(table), plan.keep);
}

/**
 * Removes the rows of a day partition but those matching `keep` (an SQL condition over alias
 * `e`), with their full-text entries; a partition left empty is dropped with its index row.
 */
export function removePartitionRows(db: SqliteDatabase, day: string, keep: string): void {
  const table = partitionTable(day);
  const kept = db.prepare(`SELECT count(*) FROM ${table} e WHERE ${keep}`).pluck().get() as number;
  const hasFullText = hasTable(db, 'events_fts');
  if (kept === 0) {
    if (hasFullText) db.prepare(`DELETE FROM events_fts WHERE rowid IN (SELECT seq FROM ${table})`).run();
    db.exec(`DROP TABLE ${table}`);
    db.prepare('DELETE FROM partitions WHERE day = ?').run(day);
    return;
  }
  if (hasFullText) db.prepare(`DELETE FROM events_fts WHERE rowid IN (SELECT seq FROM ${table} e WHERE NOT ${keep})`).run();
  db.prepare(`DELETE FROM ${table} AS e WHERE NOT ${keep}`).run();
}

/** Every declared range, ascending by start. */
export function readRetentionRanges(db: SqliteDatabase): DeclaredRange[] {
  if (!hasTable(db, 'retention_ranges')) return [];
  return db.prepare('SELECT from_seq AS "from", to_seq AS "to", declared_by AS declaredBy FROM retention_ranges ORDER BY from_seq').all() as DeclaredRange[];
}

/** The seqs of one table's rows not matching `keep`, as ranges; rowid order makes this one ordered pass. */
function seqRangesOf(db: SqliteDatabase, table: string, keep: string): SeqRange[] {
  const ranges: SeqRange[] = [];
  let current: SeqRange | undefined;
  for (const seq of db.prepare(`SELECT seq FROM ${table} e WHERE NOT ${keep} ORDER BY seq`).pluck().iterate() as IterableIterator<number>) {
    if (current && current.to === seq) current.to = seq + 1;
    else {
      current = { from: seq, to: seq + 1 };
      ranges.push(current);
    }
  }
  return ranges;
}

/** Sorts and joins touching or overlapping ranges. */
export function mergeRanges(ranges: readonly SeqRange[]): SeqRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const merged: SeqRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.from <= last.to) last.to = Math.max(last.to, range.to);
    else merged.push({ from: range.from, to: range.to });
  }
  return merged;
}

/** `ranges` without what `taken` covers; both ascending and internally disjoint. */
export function subtractRanges(ranges: readonly SeqRange[], taken: readonly SeqRange[]): SeqRange[] {
  const out: SeqRange[] = [];
  let j = 0;
  for (const range of ranges) {
    let from = range.from;
    while (j < taken.length && taken[j].to <= from) j++;
    for (let k = j; k < taken.length && taken[k].from < range.to; k++) {
      if (taken[k].from > from) out.push({ from, to: taken[k].from });
      from = Math.max(from, taken[k].to);
    }
    if (from < range.to) out.push({ from, to: range.to });
  }
  return out;
}
