import type { Statement } from 'better-sqlite3';
import type { VigilEvent } from '../model/event.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { TimeRange } from '../store/store.js';
import { HUNT_COLUMNS, type RecordLookup, StoredEvent } from './stored-event.js';

/** Rows read per query: large enough to amortise the statement, small enough to keep memory flat. */
const DEFAULT_PAGE_SIZE = 2000;

export interface StoredEventsOptions {
  pageSize?: number;
}

interface Partition {
  table: string;
  minTs: number;
  maxTs: number;
}

/**
 * Streams the hot store's events of a range in time order (ties in arrival order), a page at a
 * time. Partitions are UTC days, so reading them day after day is reading in time order; within
 * one, pages continue after the last (ts, seq) read, on the (ts) index whose entries carry the
 * seq. No read transaction stays open between pages, so a hunt beside `vigil serve` does not hold
 * back its WAL checkpoints, and a partition that retention drops mid-hunt simply ends early.
 */
export async function* readStoredEvents(db: SqliteDatabase, range: TimeRange, options: StoredEventsOptions = {}): AsyncGenerator<VigilEvent[]> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const since = range.since ?? Number.MIN_SAFE_INTEGER;
  const until = range.until ?? Number.MAX_SAFE_INTEGER;
  for (const partition of partitionsOf(db, since, until)) {
    const opened = openPartition(db, partition.table);
    if (opened === undefined) continue;
    const { page, records } = opened;
    let afterTs = since;
    let afterSeq = -1;
    for (;;) {
      const rows = readPage(page, afterTs, afterSeq, until, pageSize);
      if (rows.length === 0) break;
      const events = rows.map((row) => new StoredEvent(row, records));
      const last = rows[rows.length - 1];
      afterTs = last[0] as number;
      afterSeq = last[last.length - 1] as number;
      yield events;
      if (rows.length < pageSize) break;
    }
  }
}

/** Oldest and newest stored event time within a range (undefined when it holds none): the span a progress bar covers. */
export function storedTimeSpan(db: SqliteDatabase, range: TimeRange): { from: number; to: number } | undefined {
  const partitions = partitionsOf(db, range.since ?? Number.MIN_SAFE_INTEGER, range.until ?? Number.MAX_SAFE_INTEGER);
  if (partitions.length === 0) return undefined;
  const from = Math.max(partitions[0].minTs, range.since ?? Number.MIN_SAFE_INTEGER);
  const to = Math.min(partitions[partitions.length - 1].maxTs, (range.until ?? Number.MAX_SAFE_INTEGER) - 1);
  return { from, to };
}

function partitionsOf(db: SqliteDatabase, since: number, until: number): Partition[] {
  return db
    .prepare('SELECT table_name AS "table", min_ts AS minTs, max_ts AS maxTs FROM partitions WHERE max_ts >= ? AND min_ts < ? ORDER BY day')
    .all(since, until) as Partition[];
}

function openPartition(db: SqliteDatabase, table: string): { page: Statement; records: RecordLookup } | undefined {
  try {
    return { page: db.prepare(pageQuery(table)).raw(), records: recordLookup(db, table) };
  } catch (error) {
    // Listed but gone: retention or archiving dropped the day after the partition list was read.
    if (/no such table/.test((error as Error).message)) return undefined;
    throw error;
  }
}

/**
 * One page of a partition after (ts, seq), before `until`: parameters afterTs, afterSeq, until,
 * limit. The (ts) index holds the seq (the rowid) too, so it serves the order without a sort.
 * The record is left out: it is most of a row's bytes and few events need it (see StoredEvent).
 */
export function pageQuery(table: string): string {
  return `SELECT ${HUNT_COLUMNS.join(', ')} FROM ${table} WHERE (ts, seq) > (?, ?) AND ts < ? ORDER BY ts, seq LIMIT ?`;
}

function recordLookup(db: SqliteDatabase, table: string): RecordLookup {
  const statement = db.prepare(`SELECT record FROM ${table} WHERE seq = ?`).pluck();
  return (seq) => {
    const record = statement.get(seq) as string | undefined;
    if (record === undefined) throw new Error(`stored event ${seq} left ${table} while the hunt read it (archived or expired meanwhile); hunt again, with --include-archive if it was archived`);
    return record;
  };
}

function readPage(page: Statement, afterTs: number, afterSeq: number, until: number, pageSize: number): unknown[][] {
  try {
    return page.all(afterTs, afterSeq, until, pageSize) as unknown[][];
  } catch (error) {
    if (/no such table/.test((error as Error).message)) return [];
    throw error;
  }
}
