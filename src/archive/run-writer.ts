import { inclusionBundle } from '../ledger/proof-bundles.js';
import type { LedgerSession } from '../ledger/ledger-session.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { CheckpointRow } from '../store/sqlite/ledger-checkpoints.js';
import { LeafTable } from '../store/sqlite/ledger-leaves.js';
import { RUN_FORMAT, type RunReceipt, runReceiptName } from './run-receipt.js';
import type { ArchiveTarget } from './target.js';

/** Writes the receipt of the archive record at `seq`: its inclusion proof to the checkpoint that signed it. */
export async function writeRunReceipt(db: SqliteDatabase, session: LedgerSession, target: ArchiveTarget, seq: number, action: string, signed: CheckpointRow | undefined): Promise<void> {
  const leaf = new LeafTable(db).recordAt(seq);
  if (!leaf) throw new Error(`the archive record at seq ${seq} is not in the store`);
  const bundle = await inclusionBundle(db, leaf.id, session.key, async () => signed ?? (await session.checkpointNow()).latest);
  const receipt: RunReceipt = { format: RUN_FORMAT, action, bundle };
  await target.putText(runReceiptName(seq), `${JSON.stringify(receipt, null, 1)}\n`);
}
