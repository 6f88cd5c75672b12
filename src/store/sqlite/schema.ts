import { FIELDS } from '../../model/fields.js';
import type { SqliteDatabase } from './database.js';

/** Columns of every event partition, in insert order: ledger index, the normalized fields, the record. */
export const EVENT_COLUMNS: readonly string[] = ['seq', ...FIELDS.map((field) => field.column), 'record'];

const INTEGER_COLUMNS = new Set(['seq', 'ts', 'status_code']);

/** Indexes chosen for the common investigations: who, what resource, which namespace, when. */
const PARTITION_INDEXES: ReadonlyArray<readonly string[]> = [
  ['ts'],
  ['user_name', 'ts'],
  ['resource', 'action'],
  ['namespace', 'ts'],
];

export function createBaseSchema(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS partitions (
      day TEXT PRIMARY KEY,
      table_name TEXT NOT NULL UNIQUE,
      min_ts INTEGER NOT NULL,
      max_ts INTEGER NOT NULL
    );
    -- The ledger: one leaf per stored record in arrival order; the unique event id is the dedup.
    CREATE TABLE IF NOT EXISTS leaves (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, day TEXT NOT NULL, hash BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS ledger_state (id INTEGER PRIMARY KEY CHECK (id = 1), frontier BLOB NOT NULL);
    -- Signed tree heads, each with the Merkle frontier at its size (see src/ledger/README.md).
    CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, signed_at INTEGER NOT NULL, note TEXT NOT NULL, frontier BLOB NOT NULL);
    -- Leaf ranges whose records retention removed, and the seq of the vigil.admin record that declared them.
    CREATE TABLE IF NOT EXISTS retention_ranges (from_seq INTEGER PRIMARY KEY, to_seq INTEGER NOT NULL, declared_by INTEGER NOT NULL);
    -- Perfect Merkle subtree roots remembered by proof generation; never stale in an append-only log.
    CREATE TABLE IF NOT EXISTS ledger_subtrees (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS quarantine (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      source TEXT NOT NULL,
      position TEXT NOT NULL,
      reason TEXT NOT NULL,
      sample TEXT NOT NULL,
      received_at INTEGER NOT NULL
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(message, content='', contentless_delete=1);
  `);
}

/** Events are partitioned by UTC day: retention and archiving drop whole tables, indexes stay small. */
export function partitionDay(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(0, 10).replaceAll('-', '');
}

export function partitionTable(day: string): string {
  if (!/^\d{8}$/.test(day)) throw new Error(`invalid partition day "${day}"`);
  return `events_${day}`;
}

/** The column definitions of an event partition, for CREATE TABLE. */
export function partitionColumns(): string {
  return EVENT_COLUMNS.map((column) => {
    if (column === 'seq') return 'seq INTEGER PRIMARY KEY';
    if (column === 'id') return 'id TEXT NOT NULL';
    if (column === 'record') return 'record TEXT NOT NULL';
    return `${column} ${INTEGER_COLUMNS.has(column) ? 'INTEGER' : 'TEXT'}`;
  }).join(', ');
}

export function createPartition(db: SqliteDatabase, day: string): string {
  const table = partitionTable(day);
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (${partitionColumns()})`);
  for (const index of PARTITION_INDEXES) {
    db.exec(`CREATE INDEX IF NOT EXISTS ${table}_${index.join('_')} ON ${table} (${index.join(', ')})`);
  }
  return table;
}
