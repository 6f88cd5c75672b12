import type { Statement } from 'better-sqlite3';
import type { HealthSink, SourceHealth } from '../../sources/health/source-health.js';
import type { SqliteDatabase } from './database.js';

const COLUMNS = `cluster, source, origin, first_seen AS firstSeen, last_seen AS lastSeen, last_received AS lastReceived,
  lag_ms AS lagMs, count, errors, quarantined, dropped, last_error AS lastError`;

/**
 * Source-health counters in the embedded database, one row per (cluster, source, origin);
 * every `add` folds deltas in within one transaction.
 */
export class SqliteSourceHealth implements HealthSink {
  private readonly upsert?: Statement;

  constructor(private readonly db: SqliteDatabase) {
    if (db.readonly) return;
    db.exec(`CREATE TABLE IF NOT EXISTS source_health (
      cluster TEXT NOT NULL,
      source TEXT NOT NULL,
      origin TEXT NOT NULL,
      first_seen INTEGER,
      last_seen INTEGER,
      last_received INTEGER,
      lag_ms INTEGER,
      count INTEGER NOT NULL DEFAULT 0,
      errors INTEGER NOT NULL DEFAULT 0,
      quarantined INTEGER NOT NULL DEFAULT 0,
      dropped INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      PRIMARY KEY (cluster, source, origin)
    ) WITHOUT ROWID`);
    // min()/max() of SQLite return NULL when either side is NULL, hence the coalesce on both sides.
    this.upsert = db.prepare(`INSERT INTO source_health
        (cluster, source, origin, first_seen, last_seen, last_received, lag_ms, count, errors, quarantined, dropped, last_error)
      VALUES (@cluster, @source, @origin, @firstSeen, @lastSeen, @lastReceived, @lagMs, @count, @errors, @quarantined, @dropped, @lastError)
      ON CONFLICT (cluster, source, origin) DO UPDATE SET
        first_seen = min(coalesce(first_seen, excluded.first_seen), coalesce(excluded.first_seen, first_seen)),
        last_seen = max(coalesce(last_seen, excluded.last_seen), coalesce(excluded.last_seen, last_seen)),
        lag_ms = CASE WHEN excluded.last_received IS NULL THEN lag_ms ELSE excluded.lag_ms END,
        last_received = max(coalesce(last_received, excluded.last_received), coalesce(excluded.last_received, last_received)),
        count = count + excluded.count,
        errors = errors + excluded.errors,
        quarantined = quarantined + excluded.quarantined,
        dropped = dropped + excluded.dropped,
        last_error = coalesce(excluded.last_error, last_error)`);
  }

  add(deltas: readonly SourceHealth[]): void {
    const upsert = this.upsert;
    if (upsert === undefined) throw new Error('source health is open read-only; open the database writable to record counters');
    this.db.transaction(() => {
      for (const delta of deltas) {
        upsert.run({
          ...delta,
          firstSeen: delta.firstSeen ?? null,
          lastSeen: delta.lastSeen ?? null,
          lastReceived: delta.lastReceived ?? null,
          lagMs: delta.lagMs ?? null,
          lastError: delta.lastError ?? null,
        });
      }
    })();
  }

  /** Every source and origin seen, ordered by cluster, source and origin. */
  list(): SourceHealth[] {
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'source_health'").get();
    if (!exists) return [];
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM source_health ORDER BY cluster, source, origin`).all() as Array<Record<string, unknown>>;
    return rows.map(withoutNulls) as unknown as SourceHealth[];
  }
}

function withoutNulls(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null));
}
