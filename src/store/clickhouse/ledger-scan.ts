import { MerkleFrontier } from '../../ledger/merkle.js';
import { clickhouseLiteral } from '../../query/clickhouse-dialect.js';
import type { ClickHouseConnection } from './connection.js';
import { frontierKey } from './ledger-log.js';
import { StateTable } from './state.js';

/**
 * Reads a log for `vigil verify` without trusting the store's own bookkeeping: event rows with
 * every stored column and the recorded leaf hashes, by seq range, so a row whose seq was changed,
 * repeated or removed is seen as such. Within one seq the row inserted first comes first (by the
 * block number in its part name), so a forged second row cannot displace the original.
 */

/** One event row as stored: every column of the `events` table. */
export type StoredEventRow = Record<string, unknown> & { seq: number; source: unknown; cluster: unknown; record: unknown };

/** `block` is the first insert block of the row's part: `<partition>_<min block>_<max block>_<level>[_<mutation>]`. */
const INSERT_ORDER = "toUInt64(splitByChar('_', _part)[2])";

/** Every log the database knows of: with rows, recorded leaves, checkpoints or a saved frontier. */
export async function listLedgerLogs(connection: ClickHouseConnection): Promise<string[]> {
  const logs = new Set<string>();
  for (const table of ['events', 'ledger_leaves', 'checkpoints']) {
    const rows = await connection.rows<{ log: string }>(`SELECT DISTINCT log FROM ${table}`, `listing the ledger logs in ${table}`);
    for (const row of rows) logs.add(row.log);
  }
  const frontiers = await connection.rows<{ key: string }>(`SELECT DISTINCT key FROM state WHERE startsWith(key, ${clickhouseLiteral(frontierKey(''))})`, 'listing saved ledger frontiers');
  for (const row of frontiers) logs.add(row.key.slice(frontierKey('').length));
  return [...logs].sort();
}

/** The tree size the store recorded for the log after its last append; 0 when it never saved one. */
export async function savedLedgerSize(connection: ClickHouseConnection, log: string): Promise<number> {
  const snapshot = await new StateTable(connection).read(frontierKey(log));
  return snapshot === undefined ? 0 : MerkleFrontier.deserialize(Buffer.from(snapshot, 'base64')).size;
}

/** One past the largest seq of the log in the events or the recorded leaves. */
export async function logEnd(connection: ClickHouseConnection, log: string): Promise<number> {
  let end = 0;
  for (const table of ['events', 'ledger_leaves']) {
    const rows = await connection.rows<{ n: number; last: number }>(
      `SELECT count() AS n, max(seq) AS last FROM ${table} WHERE log = ${clickhouseLiteral(log)}`,
      `reading the extent of log "${log}" in ${table}`,
    );
    if (rows[0] && rows[0].n > 0) end = Math.max(end, rows[0].last + 1);
  }
  return end;
}

/** Event rows with seq in [from, to), ascending, every column. */
export async function eventRowsIn(connection: ClickHouseConnection, log: string, from: number, to: number): Promise<StoredEventRow[]> {
  return connection.rows<StoredEventRow>(
    `SELECT * FROM events WHERE log = ${clickhouseLiteral(log)} AND seq >= ${from} AND seq < ${to} ORDER BY seq, ${INSERT_ORDER}`,
    `reading events of log "${log}", seq ${from}…${to - 1}`,
  );
}

/** The first recorded leaf hash of each seq in [from, to), ascending. */
export async function recordedLeafHashesIn(connection: ClickHouseConnection, log: string, from: number, to: number): Promise<Array<[seq: number, hash: Buffer]>> {
  const rows = await connection.rows<{ seq: number; leaf_hash: string }>(
    `SELECT seq, leaf_hash FROM ledger_leaves WHERE log = ${clickhouseLiteral(log)} AND seq >= ${from} AND seq < ${to} ORDER BY seq, ${INSERT_ORDER}`,
    `reading recorded leaf hashes of log "${log}", seq ${from}…${to - 1}`,
  );
  const leaves: Array<[number, Buffer]> = [];
  for (const row of rows) {
    if (leaves.length > 0 && leaves[leaves.length - 1][0] === row.seq) continue;
    leaves.push([row.seq, Buffer.from(row.leaf_hash, 'hex')]);
  }
  return leaves;
}
