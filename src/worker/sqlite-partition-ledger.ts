import { existsSync, mkdirSync } from 'node:fs';
import { verifierKeyText } from '../ledger/checkpoint.js';
import { Checkpointer, type WitnessOutcome } from '../ledger/checkpointer.js';
import { logWitnessDir } from '../ledger/clickhouse-checkpointer.js';
import { loadLogSigningKey } from '../ledger/ledger-identity.js';
import type { PartitionLedger } from './partition-ledger.js';
import { partitionLog } from './partition-store.js';
import type { SqlitePartitionStore } from './sqlite-partition-store.js';

/**
 * A SQLite partition's ledger: the data dir `<root>/p<N>` signs as any data dir does (its own
 * install id; `--signing-key` or its own `ledger.key`), and its checkpoints go to
 * `<witness dir>/p<N>`, since a witness directory follows one log. Verify it with
 * `vigil verify --data-dir <root>/p<N> --witness <witness dir>/p<N>`.
 */
export async function openSqlitePartitionLedger(partition: number, store: SqlitePartitionStore, dataDir: string, keyFile: string | undefined, witnessDirs: readonly string[]): Promise<PartitionLedger> {
  const key = await loadLogSigningKey(store.store.db, dataDir, keyFile);
  const dirs = witnessDirs.map((dir) => logWitnessDir(dir, partitionLog(partition)));
  const checkpointer = new Checkpointer(store.store.db, key, dirs);
  return {
    verifierKey: verifierKeyText(key),
    async checkpoint(options: { catchUp: boolean }): Promise<{ size: number | undefined; witnesses: readonly WitnessOutcome[] }> {
      // The witness root must exist (a missing mount is an error); the log's own subdirectory is made on first use.
      for (const [index, dir] of dirs.entries()) if (existsSync(witnessDirs[index]) && !existsSync(dir)) mkdirSync(dir);
      const outcome = await checkpointer.checkpoint({ publishUnchanged: options.catchUp });
      return { size: outcome.latest?.size, witnesses: outcome.witnesses };
    },
  };
}
