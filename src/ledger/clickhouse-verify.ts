import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { VigilEvent } from '../model/event.js';
import { ClickHouseCheckpoints } from '../store/clickhouse/checkpoints.js';
import { ClickHouseConnection } from '../store/clickhouse/connection.js';
import { type StoredEventRow, eventRowsIn, listLedgerLogs, logEnd, recordedLeafHashesIn, savedLedgerSize } from '../store/clickhouse/ledger-scan.js';
import { eventRow, schemaStatements } from '../store/clickhouse/schema.js';
import { StateTable } from '../store/clickhouse/state.js';
import { parseClickHouseUrl } from '../store/clickhouse/url.js';
import { type VerifierKey, parseVerifierKey } from './checkpoint.js';
import { logVerifierKey, logWitnessDir, pinnedVerifierKey } from './clickhouse-checkpointer.js';
import { readVerifierKey } from './ledger-identity.js';
import { checkLeafRow, isStoredIdOf, show } from './row-check.js';
import { generateSigningKey } from './signing-key.js';
import type { VerifyReport } from './verify-report.js';
import { type StoredCheckpoint, type StoredRecord, type WitnessCheckpoint, verifyLedger } from './verify-stream.js';

/**
 * `vigil verify --store clickhouse://…`: each log of the scale-out store checked on its own, as
 * `vigil verify` checks a SQLite data directory. Event rows are read by seq range with every
 * column, merged with the leaf hashes recorded at append time (`ledger_leaves`), each row
 * re-derived from its record and compared column by column, and the result fed in seq order to
 * the same `verifyLedger` core with the log's signed checkpoints and its witnesses' copies.
 */

export interface ClickHouseVerifyOptions {
  /** `clickhouse://…/database`. */
  url: string;
  /** Logs to verify (e.g. `p0`); default every log the database knows of. */
  logs?: readonly string[];
  /** Witness directories; each log's copy is in its subdirectory `<dir>/<log>`. */
  witnessDirs: readonly string[];
  /** Verifier key (text or file) of the install (`vigil/<id>+…`) or of one log; default the key pinned in the store. */
  publicKey?: string;
  chunkSize?: number;
  /** Called as rows are checked, per log, with the count so far and the number of seqs the log spans. */
  onProgress?: (log: string, rowsChecked: number, total: number) => void;
}

export interface ClickHouseLogVerifyReport extends VerifyReport {
  log: string;
  /** The log's checkpoint origin, when it ever signed or a key was given. */
  origin: string | null;
  /** Leaves the store's saved frontier says the log holds. */
  ledgerSize: number;
  verifierKeyFrom: string | null;
  /** Problems around the ledger: unreadable witnesses, unknown logs. */
  storeProblems: string[];
}

export interface ClickHouseVerifyReport {
  /** True only when every log is intact. */
  intact: boolean;
  logs: ClickHouseLogVerifyReport[];
}

const DEFAULT_CHUNK = 10_000;
/** Columns that are the row's place in the ledger, not values derived from its record. */
const POSITION_COLUMNS = new Set(['log', 'seq']);

export async function verifyClickHouseStore(options: ClickHouseVerifyOptions): Promise<ClickHouseVerifyReport> {
  const connection = await ClickHouseConnection.open(parseClickHouseUrl(options.url));
  try {
    // An empty or partly created database verifies as empty rather than failing on a missing table.
    for (const statement of schemaStatements()) await connection.command(statement, 'creating the store tables');
    const known = await listLedgerLogs(connection);
    const logs = options.logs && options.logs.length > 0 ? options.logs : known;
    const reports: ClickHouseLogVerifyReport[] = [];
    for (const log of logs) {
      const report = await verifyLog(connection, log, options);
      if (!known.includes(log)) {
        report.storeProblems.push(`the store has no log "${log}" (it has: ${known.join(', ') || 'none'})`);
        report.intact = false;
      }
      reports.push(report);
    }
    return { intact: reports.every((report) => report.intact), logs: reports };
  } finally {
    await connection.close();
  }
}

async function verifyLog(connection: ClickHouseConnection, log: string, options: ClickHouseVerifyOptions): Promise<ClickHouseLogVerifyReport> {
  const resolved = await resolveLogVerifier(connection, log, options.publicKey);
  const witnesses = await readLogWitnesses(options.witnessDirs, log);
  const ledgerSize = await savedLedgerSize(connection, log);
  const scan: LogScan = { connection, log, end: await logEnd(connection, log), chunkSize: options.chunkSize ?? DEFAULT_CHUNK, rowsRead: 0, onProgress: options.onProgress };
  const report = await verifyLedger({
    records: storedRecords(scan),
    ledgerSize,
    checkpoints: storedCheckpoints(connection, log),
    witnesses: witnesses.notes,
    retention: [],
    verifier: resolved?.key ?? unsignedLogVerifier(),
  });
  return {
    ...report,
    log,
    records: scan.rowsRead,
    intact: report.intact && witnesses.problems.length === 0,
    origin: resolved?.key.name ?? null,
    ledgerSize,
    verifierKeyFrom: resolved?.from ?? null,
    storeProblems: witnesses.problems,
  };
}

async function resolveLogVerifier(connection: ClickHouseConnection, log: string, publicKey: string | undefined): Promise<{ key: VerifierKey; from: string } | undefined> {
  if (publicKey !== undefined) return { key: logVerifierKey(await readVerifierKey(publicKey), log), from: '--public-key' };
  const pinned = await new StateTable(connection).read(pinnedVerifierKey(log));
  if (pinned === undefined) return undefined;
  return { key: parseVerifierKey(pinned), from: 'the key pinned in the store (pass --public-key for an independent check)' };
}

async function* storedCheckpoints(connection: ClickHouseConnection, log: string): AsyncGenerator<StoredCheckpoint> {
  for await (const row of new ClickHouseCheckpoints(connection).ascending(log)) yield { note: row.note, frontier: row.frontier };
}

interface LogScan {
  connection: ClickHouseConnection;
  log: string;
  /** One past the largest seq in the events or the recorded leaves. */
  end: number;
  chunkSize: number;
  rowsRead: number;
  onProgress?: ClickHouseVerifyOptions['onProgress'];
}

/** Rows and recorded leaf hashes merged by seq, a range at a time; the next range is read while this one is checked. */
async function* storedRecords(scan: LogScan): AsyncGenerator<StoredRecord[]> {
  const read = (from: number) => {
    const to = Math.min(scan.end, from + scan.chunkSize);
    return Promise.all([eventRowsIn(scan.connection, scan.log, from, to), recordedLeafHashesIn(scan.connection, scan.log, from, to)]);
  };
  let pending = scan.end > 0 ? read(0) : undefined;
  for (let from = 0; pending; from += scan.chunkSize) {
    const [rows, leaves] = await pending;
    pending = from + scan.chunkSize < scan.end ? read(from + scan.chunkSize) : undefined;
    // A rejected read-ahead must not go unhandled while this range is checked; it is awaited next round.
    pending?.catch(() => undefined);
    scan.rowsRead += rows.length;
    const merged = mergeRange(scan.log, rows, leaves);
    scan.onProgress?.(scan.log, scan.rowsRead, scan.end);
    yield merged;
  }
}

/** One StoredRecord per row (a seq twice if two rows claim it, both against the first recorded leaf) and one per leaf whose row is gone. */
function mergeRange(log: string, rows: readonly StoredEventRow[], leaves: ReadonlyArray<[number, Buffer]>): StoredRecord[] {
  const out: StoredRecord[] = [];
  let l = 0;
  for (let r = 0; r < rows.length; r++) {
    const { seq } = rows[r];
    for (; l < leaves.length && leaves[l][0] < seq; l++) out.push(goneRecord(leaves[l]));
    const recorded = l < leaves.length && leaves[l][0] === seq ? leaves[l][1] : null;
    out.push(checkedRecord(log, rows[r], recorded));
    if (recorded && (r + 1 >= rows.length || rows[r + 1].seq !== seq)) l++;
  }
  for (; l < leaves.length; l++) out.push(goneRecord(leaves[l]));
  return out;
}

function goneRecord([seq, hash]: [number, Buffer]): StoredRecord {
  return { seq, leafBytes: null, contentHash: null, recordedLeafHash: hash };
}

function checkedRecord(log: string, row: StoredEventRow, recorded: Buffer | null): StoredRecord {
  const verdict = checkLeafRow(row.seq, row.source, row.cluster, row.record, (event) => compareRow(log, row, event));
  const storedHash = row.leaf_hash;
  const hashMismatch = storedHash === verdict.hash.toString('hex') ? null : `leaf_hash: stored ${show(storedHash)}, the record hashes to ${show(verdict.hash.toString('hex'))}`;
  const mismatch = [verdict.mismatch, hashMismatch].filter((text) => text !== null).join('; ');
  const record: StoredRecord = { seq: row.seq, leafBytes: null, contentHash: verdict.hash, recordedLeafHash: recorded };
  if (mismatch !== '') record.columnMismatch = mismatch;
  return record;
}

/** Every stored column against the row the store would write for the re-derived event (including the raw-path arrays and the day partition). */
function compareRow(log: string, stored: StoredEventRow, event: VigilEvent): string | null {
  const expected = eventRow(log, stored.seq, Buffer.alloc(0), event);
  const differences: string[] = [];
  for (const [column, value] of Object.entries(expected)) {
    if (POSITION_COLUMNS.has(column) || column === 'leaf_hash') continue;
    if (column === 'id' ? isStoredIdOf(event, stored.id) : isDeepStrictEqual(stored[column], value)) continue;
    differences.push(`${column}: stored ${show(stored[column])}, the record gives ${show(value)}`);
  }
  return differences.length === 0 ? null : differences.join('; ');
}

/** Each witness directory's copy of this log's checkpoint; a witness root that cannot be read is a problem. */
async function readLogWitnesses(dirs: readonly string[], log: string): Promise<{ notes: WitnessCheckpoint[]; problems: string[] }> {
  const notes: WitnessCheckpoint[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    const logDir = logWitnessDir(dir, log);
    try {
      notes.push({ witness: logDir, note: await readFile(join(logDir, 'checkpoint'), 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && existsSync(dir)) notes.push({ witness: logDir, note: null });
      else problems.push(`witness ${logDir} cannot be read (${code ?? (error as Error).message}): is the volume mounted?`);
    }
  }
  return { notes, problems };
}

/** A log that never signed has no key; a throwaway one checks nothing and trusts nothing. */
function unsignedLogVerifier(): VerifierKey {
  const { name, keyId, publicKey } = generateSigningKey('vigil/unsigned');
  return { name, keyId, publicKey };
}
