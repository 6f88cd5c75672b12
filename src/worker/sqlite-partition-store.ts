import { join } from 'node:path';
import type { VigilEvent } from '../model/event.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { AppendResult, QuarantineItem, QueryRows, StoredQuarantineItem, TimeRange } from '../store/store.js';
import { type PartitionStore, type PartitionStoreFactory, partitionLog } from './partition-store.js';

/**
 * Partitions on the embedded store: one SQLite data dir per partition under `root` (`root/p0`,
 * `root/p1`, …), each its own ledger. For one machine, tests and trying the topology; several
 * machines share a ClickHouse store instead.
 */
export function sqlitePartitionStores(root: string): PartitionStoreFactory<SqlitePartitionStore> {
  return async (partition) => new SqlitePartitionStore(SqliteStore.open(join(root, partitionLog(partition)), { durability: 'commit' }));
}

export class SqlitePartitionStore implements PartitionStore {
  private readonly statements;

  constructor(readonly store: SqliteStore) {
    const db: SqliteDatabase = store.db;
    db.exec('CREATE TABLE IF NOT EXISTS worker_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    this.statements = {
      load: db.prepare('SELECT value FROM worker_state WHERE key = ?').pluck(),
      save: db.prepare('INSERT INTO worker_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  append(batch: readonly VigilEvent[]): Promise<AppendResult> {
    return this.store.append(batch);
  }

  quarantine(items: readonly QuarantineItem[]): Promise<void> {
    return this.store.quarantine(items);
  }

  listQuarantine(limit: number): Promise<StoredQuarantineItem[]> {
    return this.store.listQuarantine(limit);
  }

  query(text: string, range: TimeRange, defaultLimit?: number): Promise<QueryRows> {
    return this.store.query(text, range, defaultLimit);
  }

  async loadState(key: string): Promise<string | undefined> {
    return this.statements.load.get(key) as string | undefined;
  }

  async saveState(key: string, value: string): Promise<void> {
    this.statements.save.run(key, value);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
