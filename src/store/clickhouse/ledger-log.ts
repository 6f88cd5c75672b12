import { MerkleFrontier } from '../../ledger/merkle.js';
import { clickhouseLiteral } from '../../query/clickhouse-dialect.js';
import type { ClickHouseConnection } from './connection.js';
import type { StateTable } from './state.js';

/** Leaves read per query when replaying a log: bounds memory whatever the log's size. */
const CHUNK = 50_000;

export function frontierKey(log: string): string {
  return `ledger/frontier/${log}`;
}

/**
 * The log's frontier as stored: the last saved snapshot (written after every append, with the
 * tree size as its version), then every leaf from there on replayed in seq order. The replay
 * covers appends whose snapshot was never written (a crash between the rows and the snapshot);
 * the snapshot covers leaves that retention has since dropped. A missing or repeated seq means
 * the rows were changed behind the store's back: it refuses to guess.
 */
export async function loadFrontier(connection: ClickHouseConnection, state: StateTable, log: string): Promise<MerkleFrontier> {
  const snapshot = await state.read(frontierKey(log));
  const frontier = snapshot === undefined ? MerkleFrontier.empty() : MerkleFrontier.deserialize(Buffer.from(snapshot, 'base64'));
  for (;;) {
    const from = frontier.size;
    const leaves = await connection.rows<{ seq: number; leaf_hash: string }>(
      `SELECT seq, leaf_hash FROM events WHERE log = ${clickhouseLiteral(log)} AND seq >= ${from} ORDER BY seq LIMIT ${CHUNK}`,
      `reading ledger leaves of log "${log}" from seq ${from}`,
    );
    for (const leaf of leaves) {
      if (leaf.seq !== frontier.size) {
        const problem = leaf.seq < frontier.size ? 'is stored twice' : `follows seq ${frontier.size - 1} (leaves missing)`;
        throw new Error(`ledger of log "${log}" is inconsistent: leaf ${leaf.seq} ${problem}; run vigil verify against this store`);
      }
      frontier.append(Buffer.from(leaf.leaf_hash, 'hex'));
    }
    if (leaves.length < CHUNK) return frontier;
  }
}

export async function saveFrontier(state: StateTable, log: string, frontier: MerkleFrontier): Promise<void> {
  await state.write(frontierKey(log), frontier.serialize().toString('base64'), frontier.size);
}
