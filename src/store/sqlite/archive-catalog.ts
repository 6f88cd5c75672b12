import type { SqliteDatabase } from './database.js';
import { hasTable } from './ledger-meta.js';

/**
 * What left the hot store for the archive: one row per segment (where it went, its time and leaf
 * span, its digests, the `archive.move` record that declared it and the `archive.restore` record
 * that brought it back, if any), and the segment's leaf ranges. The ranges declared by one move
 * record hash to the digest that record carries, so they cannot be widened to hide a deletion.
 * `archive_expiries` names the segments removed from the archive by policy and the
 * `archive.expire` record that declared it (a table of its own, so stores cataloged before expiry
 * existed need no migration).
 */

export interface CatalogSegment {
  target: string;
  name: string;
  day: string;
  minTs: number;
  maxTs: number;
  events: number;
  firstSeq: number;
  lastSeq: number;
  sha256: string;
  manifestSha256: string;
  declaredBy: number;
  restoredBy: number | null;
  /** Seq of the `archive.expire` record that removed the segment from the archive, if any. */
  expiredBy: number | null;
}

export interface CatalogRange {
  from: number;
  to: number;
  declaredBy: number;
  segment: string;
}

export function createArchiveCatalog(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS archive_segments (
      target TEXT NOT NULL, name TEXT NOT NULL, day TEXT NOT NULL, min_ts INTEGER NOT NULL, max_ts INTEGER NOT NULL,
      events INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, sha256 TEXT NOT NULL,
      manifest_sha256 TEXT NOT NULL, declared_by INTEGER NOT NULL, restored_by INTEGER,
      PRIMARY KEY (target, name)
    );
    CREATE TABLE IF NOT EXISTS archive_ranges (
      from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL, declared_by INTEGER NOT NULL, segment TEXT NOT NULL,
      PRIMARY KEY (declared_by, from_seq)
    );
    CREATE TABLE IF NOT EXISTS archive_expiries (
      target TEXT NOT NULL, name TEXT NOT NULL, expired_by INTEGER NOT NULL, PRIMARY KEY (target, name)
    );
  `);
}

export function insertCatalogSegment(db: SqliteDatabase, segment: Omit<CatalogSegment, 'expiredBy'>, ranges: ReadonlyArray<readonly [number, number]>): void {
  db.prepare(
    `INSERT INTO archive_segments (target, name, day, min_ts, max_ts, events, first_seq, last_seq, sha256, manifest_sha256, declared_by, restored_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
  ).run(segment.target, segment.name, segment.day, segment.minTs, segment.maxTs, segment.events, segment.firstSeq, segment.lastSeq, segment.sha256, segment.manifestSha256, segment.declaredBy);
  const insert = db.prepare('INSERT INTO archive_ranges (from_seq, to_seq, declared_by, segment) VALUES (?, ?, ?, ?)');
  for (const [from, to] of ranges) insert.run(from, to, segment.declaredBy, segment.name);
}

const SEGMENT_COLUMNS = `s.target, s.name, day, min_ts AS minTs, max_ts AS maxTs, events, first_seq AS firstSeq, last_seq AS lastSeq,
  sha256, manifest_sha256 AS manifestSha256, declared_by AS declaredBy, restored_by AS restoredBy`;

export function listCatalogSegments(db: SqliteDatabase): CatalogSegment[] {
  if (!hasTable(db, 'archive_segments')) return [];
  const expiries = hasTable(db, 'archive_expiries');
  const expiredBy = expiries ? 'x.expired_by' : 'NULL';
  const join = expiries ? 'LEFT JOIN archive_expiries x ON x.target = s.target AND x.name = s.name' : '';
  return db.prepare(`SELECT ${SEGMENT_COLUMNS}, ${expiredBy} AS expiredBy FROM archive_segments s ${join} ORDER BY min_ts, s.name`).all() as CatalogSegment[];
}

export function markExpired(db: SqliteDatabase, target: string, name: string, expiredBy: number): void {
  db.prepare('INSERT INTO archive_expiries (target, name, expired_by) VALUES (?, ?, ?)').run(target, name, expiredBy);
}

/** The archive runs on `target` this store recorded (moves and expiries; restores write nothing to the archive), ascending by seq. */
export function catalogRuns(db: SqliteDatabase, target: string): Array<{ seq: number; kind: 'move' | 'expire' }> {
  const runs = new Map<number, 'move' | 'expire'>();
  for (const segment of listCatalogSegments(db)) {
    if (segment.target !== target) continue;
    runs.set(segment.declaredBy, 'move');
    if (segment.expiredBy !== null) runs.set(segment.expiredBy, 'expire');
  }
  return [...runs].map(([seq, kind]) => ({ seq, kind })).sort((a, b) => a.seq - b.seq);
}

export function markRestored(db: SqliteDatabase, target: string, name: string, restoredBy: number): void {
  db.prepare('UPDATE archive_segments SET restored_by = ? WHERE target = ? AND name = ?').run(restoredBy, target, name);
}

/** Every archived leaf range, ascending by start. */
export function readCatalogRanges(db: SqliteDatabase): CatalogRange[] {
  if (!hasTable(db, 'archive_ranges')) return [];
  return db.prepare('SELECT from_seq AS "from", to_seq AS "to", declared_by AS declaredBy, segment FROM archive_ranges ORDER BY from_seq').all() as CatalogRange[];
}
