import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export const DATABASE_FILE = 'vigil.db';

/**
 * When a commit is on stable storage: `commit` fsyncs every transaction (a receiver's 2xx
 * promises that); `close` leaves it to the end of a batch run, which checkpoints and fsyncs
 * before it reports (a run cut short is simply run again: records are deduplicated).
 */
export type Durability = 'commit' | 'close';

export interface OpenOptions {
  readonly?: boolean;
  /** Refuse to create a new store: commands that only read must not turn a mistyped --data-dir into an empty one. */
  mustExist?: boolean;
  durability?: Durability;
}

/** Opens (creating if needed) the embedded database of a data directory; WAL lets queries run while an ingest writes. */
export function openDatabase(dataDir: string, options: OpenOptions = {}): SqliteDatabase {
  const path = join(dataDir, DATABASE_FILE);
  if (options.mustExist && !existsSync(path)) {
    throw new Error(`no Vigil store in ${dataDir} (no ${DATABASE_FILE}); give the --data-dir of vigil ingest or serve`);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  if (!options.readonly) {
    // Large pages suit ~1 KiB records; only takes effect on a new file.
    db.pragma('page_size = 16384');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.durability === 'close' ? 'NORMAL' : 'FULL'}`);
    // A batch run folds the WAL in rarely (256 MiB) and at close; index pages stay cached.
    if (options.durability === 'close') db.pragma('wal_autocheckpoint = 16384');
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -131072');
  db.pragma('temp_store = MEMORY');
  return db;
}
