import type { SqliteDatabase } from './database.js';

/** The `meta` table: one value per key, for settings a data directory keeps about itself. */

export function readMeta(db: SqliteDatabase, key: string): string | undefined {
  if (!hasTable(db, 'meta')) return undefined;
  return db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

/** Stores `value` unless the key already has one; returns the value that is stored now (first writer wins). */
export function claimMeta(db: SqliteDatabase, key: string, value: string): string {
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  return readMeta(db, key) as string;
}

/** True when the database has this table: a read-only verify may open a store made before the ledger tables existed. */
export function hasTable(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}
