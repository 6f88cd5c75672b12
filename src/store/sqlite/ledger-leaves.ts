import type { LeafHashReader, SubtreeCache } from '../../ledger/proofs.js';
import type { SqliteDatabase } from './database.js';
import { listPartitionTables } from './ledger-scan.js';
import { partitionTable } from './schema.js';

/** A stored record with what its ledger leaf commits to. */
export interface LeafRecord {
  seq: number;
  id: string;
  table: string;
  source: string;
  cluster: string;
  record: string;
}

/** The `leaves` table read as the ledger: leaf hashes by index, and the record behind a leaf. */
export class LeafTable implements LeafHashReader {
  private readonly range;

  constructor(private readonly db: SqliteDatabase) {
    this.range = db.prepare('SELECT hash FROM leaves WHERE seq >= ? AND seq < ? ORDER BY seq').pluck();
  }

  readLeafHashes(from: number, to: number): Buffer[] {
    return this.range.all(from, to) as Buffer[];
  }

  /** Where the record with this event id sits, or undefined when no leaf carries the id. */
  findById(id: string): { seq: number; day: string } | undefined {
    return this.db.prepare('SELECT seq, day FROM leaves WHERE id = ?').get(id) as { seq: number; day: string } | undefined;
  }

  /** The stored record at leaf `seq`: looked up in its day's partition, else in every partition. */
  recordAt(seq: number, day?: string): LeafRecord | undefined {
    const tables = listPartitionTables(this.db);
    const preferred = day ? partitionTable(day) : undefined;
    const ordered = preferred && tables.includes(preferred) ? [preferred, ...tables.filter((t) => t !== preferred)] : tables;
    for (const table of ordered) {
      const row = this.db.prepare(`SELECT seq, id, source, cluster, record FROM ${table} WHERE seq = ?`).get(seq) as Omit<LeafRecord, 'table'> | undefined;
      if (row) return { ...row, table };
    }
    return undefined;
  }
}

/**
 * Perfect subtree roots kept in `ledger_subtrees`, so a proof over a large log reads O(log n)
 * rows after the first. New entries are held until `flush()` writes them in one transaction.
 * The table is not trusted: whoever uses a proof built with it checks the proof against a signed
 * root and rebuilds without the cache when it fails (see ledger/proof-source.ts).
 */
export class PersistedSubtreeCache implements SubtreeCache {
  private readonly pending = new Map<string, { level: number; index: number; hash: Buffer }>();
  private readonly lookup;

  constructor(private readonly db: SqliteDatabase) {
    this.lookup = db.prepare('SELECT hash FROM ledger_subtrees WHERE level = ? AND idx = ?').pluck();
  }

  get(level: number, index: number): Buffer | undefined {
    return this.pending.get(`${level}/${index}`)?.hash ?? (this.lookup.get(level, index) as Buffer | undefined);
  }

  set(level: number, index: number, hash: Buffer): void {
    this.pending.set(`${level}/${index}`, { level, index, hash });
  }

  flush(): void {
    if (this.pending.size === 0 || this.db.readonly) return;
    const insert = this.db.prepare('INSERT OR REPLACE INTO ledger_subtrees (level, idx, hash) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const { level, index, hash } of this.pending.values()) insert.run(level, index, hash);
    })();
    this.pending.clear();
  }

  /** Forgets everything: called when a proof built from the cache did not verify. */
  clear(): void {
    this.pending.clear();
    if (!this.db.readonly) this.db.prepare('DELETE FROM ledger_subtrees').run();
  }
}
