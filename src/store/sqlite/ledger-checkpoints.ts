import { MerkleFrontier } from '../../ledger/merkle.js';
import type { SqliteDatabase } from './database.js';
import { hasTable } from './ledger-meta.js';

/** A signed checkpoint as stored: the note and the Merkle frontier at its size. */
export interface CheckpointRow {
  size: number;
  /** When it was signed, epoch milliseconds (also inside the note). */
  signedAt: number;
  note: string;
  frontier: Buffer;
}

const COLUMNS = 'size, signed_at AS signedAt, note, frontier';

/** The `checkpoints` table: one signed checkpoint per tree size, in ascending size. */
export class CheckpointTable {
  private readonly present: boolean;

  constructor(private readonly db: SqliteDatabase) {
    this.present = hasTable(db, 'checkpoints');
  }

  latest(): CheckpointRow | undefined {
    if (!this.present) return undefined;
    return this.db.prepare(`SELECT ${COLUMNS} FROM checkpoints ORDER BY size DESC LIMIT 1`).get() as CheckpointRow | undefined;
  }

  atSize(size: number): CheckpointRow | undefined {
    if (!this.present) return undefined;
    return this.db.prepare(`SELECT ${COLUMNS} FROM checkpoints WHERE size = ?`).get(size) as CheckpointRow | undefined;
  }

  /** The smallest checkpoint whose tree holds leaf `seq`, i.e. size > seq. */
  covering(seq: number): CheckpointRow | undefined {
    if (!this.present) return undefined;
    return this.db.prepare(`SELECT ${COLUMNS} FROM checkpoints WHERE size > ? ORDER BY size LIMIT 1`).get(seq) as CheckpointRow | undefined;
  }

  /** Stores a checkpoint unless one of that size exists (two signers raced); true when stored. */
  insert(row: CheckpointRow): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO checkpoints (size, signed_at, note, frontier) VALUES (?, ?, ?, ?)').run(row.size, row.signedAt, row.note, row.frontier).changes === 1;
  }

  count(): number {
    if (!this.present) return 0;
    return this.db.prepare('SELECT count(*) FROM checkpoints').pluck().get() as number;
  }

  /**
   * Every checkpoint by ascending size, read a page at a time, so it can be consumed while other
   * statements run on the same connection (better-sqlite3 allows no query while an iterator is open).
   */
  *ascending(pageSize = 512): Generator<CheckpointRow> {
    if (!this.present) return;
    const page = this.db.prepare(`SELECT ${COLUMNS} FROM checkpoints WHERE size > ? ORDER BY size LIMIT ?`);
    for (let after = -1; ; ) {
      const rows = page.all(after, pageSize) as CheckpointRow[];
      yield* rows;
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].size;
    }
  }
}

/** The ledger's head as the store last committed it: the frontier over every leaf appended. */
export function readLedgerFrontier(db: SqliteDatabase): MerkleFrontier {
  if (!hasTable(db, 'ledger_state')) return MerkleFrontier.empty();
  const saved = db.prepare('SELECT frontier FROM ledger_state WHERE id = 1').pluck().get() as Buffer | undefined;
  return saved ? MerkleFrontier.deserialize(saved) : MerkleFrontier.empty();
}
