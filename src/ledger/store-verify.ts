import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE, type SqliteDatabase } from '../store/sqlite/database.js';
import { CheckpointTable, readLedgerFrontier } from '../store/sqlite/ledger-checkpoints.js';
import { hasTable } from '../store/sqlite/ledger-meta.js';
import { LeafHashRanges, type PartitionExtent, dayOfTable, listPartitionTables, openScanConnection, partitionExtents } from '../store/sqlite/ledger-scan.js';
import type { VerifierKey } from './checkpoint.js';
import { type ResolvedVerifier, knownOrigin, resolveVerifier } from './ledger-identity.js';
import { retentionDeclarations } from './retention.js';
import { type RangeVerdicts, RowCheckPool, snapshotFingerprint } from './row-check-pool.js';
import { generateSigningKey } from './signing-key.js';
import { type VerifyReport, relabelArchived } from './verify-report.js';
import { archiveDeclarations, withoutRetentionOverlap } from '../archive/archive-declarations.js';
import { type ArchiveVerifyReport, verifyCatalogArchives } from '../archive/verify-catalog.js';
import { type StoredRecord, type WitnessCheckpoint, verifyLedger } from './verify-stream.js';

/**
 * `vigil verify` over a SQLite data directory: one read transaction (a consistent snapshot even
 * while `vigil serve` appends), the rows of every partition merged with the recorded leaf hashes
 * in seq order a chunk at a time, each row's hash and re-derived columns computed on worker
 * threads, and the result fed in order to `verifyLedger`. Memory holds a few chunks, the
 * retention declarations and O(log n) hashes, whatever the size of the store.
 */

export interface StoreVerifyOptions {
  dataDir: string;
  witnessDirs: readonly string[];
  /** Verifier key text or a file holding it; default: the public half of the signing key. */
  publicKey?: string;
  keyFile?: string;
  /** Worker threads for decoding and hashing; 0 checks rows on the calling thread. */
  threads: number;
  chunkSize?: number;
  /** Called as rows are checked, with the count so far and the number of seqs the store spans. */
  onProgress?: (rowsChecked: number, total: number) => void;
  /** Also verify every archive the catalog names (`vigil verify --archives`). */
  archives?: boolean;
  /** S3-compatible endpoint for archives on S3 (default $AWS_ENDPOINT_URL). */
  s3Endpoint?: string;
}

export interface StoreVerifyReport extends VerifyReport {
  /** The log's origin, when it ever signed. */
  origin: string | null;
  /** Leaves the store's ledger head says it holds. */
  ledgerSize: number;
  /** Where the verifier key came from. */
  verifierKeyFrom: string | null;
  /** Inconsistencies of the store around the ledger: partition index, retention bookkeeping, unreadable tables. */
  storeProblems: string[];
  /** With `archives`: each archive the catalog names, verified offline. */
  archives?: ArchiveVerifyReport[];
}

const DEFAULT_CHUNK = 2048;
const INLINE_BELOW = 20_000;

export async function verifyStore(options: StoreVerifyOptions): Promise<StoreVerifyReport> {
  if (!existsSync(join(options.dataDir, DATABASE_FILE))) {
    throw new Error(`no Vigil store in ${options.dataDir} (no ${DATABASE_FILE}); pass --data-dir`);
  }
  const db = openScanConnection(options.dataDir);
  try {
    const resolved = await resolveVerifier(db, options.dataDir, options);
    const witnesses = await readWitnesses(options.witnessDirs);
    db.exec('BEGIN');
    try {
      return await verifySnapshot(db, resolved, witnesses, options);
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    db.close();
  }
}

async function verifySnapshot(
  db: SqliteDatabase,
  resolved: ResolvedVerifier | undefined,
  witnesses: { notes: WitnessCheckpoint[]; problems: string[] },
  options: StoreVerifyOptions,
): Promise<StoreVerifyReport> {
  const storeProblems = [...witnesses.problems];
  const problem = (message: string) => storeProblems.push(message);
  const ledgerSize = readLedgerFrontier(db).size;
  const retention = retentionDeclarations(db, problem);
  const archived = withoutRetentionOverlap(archiveDeclarations(db, problem), retention, problem);
  const partitions = partitionExtents(db, problem);
  const leaves = new LeafHashRanges(db);
  const end = Math.max(leaves.end, ...partitions.map((p) => p.maxSeq + 1));
  const tables = partitions.map((p) => p.table);
  // Starting a worker (its own module graph and connection) costs more than checking a small store inline.
  const threads = end < INLINE_BELOW ? 0 : options.threads;
  const pool = await RowCheckPool.start(db, threads, { dataDir: options.dataDir, fingerprint: snapshotFingerprint(db, tables), tables }, problem);
  let report: VerifyReport;
  const scan: Scan = { leaves, partitions, end, chunkSize: options.chunkSize ?? DEFAULT_CHUNK, pool, problem, onProgress: options.onProgress, rowsRead: 0, adminSeqs: [] };
  try {
    report = await verifyLedger({
      records: storedRecords(scan),
      ledgerSize,
      checkpoints: signedCheckpoints(db),
      witnesses: witnesses.notes,
      retention: [...retention, ...archived].sort((a, b) => a.from - b.from),
      verifier: resolved?.key ?? unsignedLogVerifier(),
    });
  } finally {
    await pool.close();
  }
  checkPartitionIndex(db, partitions, problem);
  checkSignedActions(report.uncovered, scan.adminSeqs, problem);
  const archives = options.archives && resolved ? await verifyCatalogArchives(db, resolved.key, options.s3Endpoint, problem) : undefined;
  if (options.archives && !resolved) problem('the store never signed, so its archives cannot be verified');
  return {
    ...report,
    ranges: relabelArchived(report.ranges, archived),
    ...(archives ? { archives } : {}),
    records: scan.rowsRead,
    intact: report.intact && storeProblems.length === 0,
    origin: knownOrigin(db) ?? null,
    ledgerSize,
    verifierKeyFrom: resolved?.from ?? null,
    storeProblems,
  };
}

/** Stored checkpoints as verifyLedger takes them (it pulls them as the records pass their sizes). */
function* signedCheckpoints(db: SqliteDatabase) {
  for (const row of new CheckpointTable(db).ascending()) yield { note: row.note, frontier: row.frontier };
}

interface Scan {
  leaves: LeafHashRanges;
  partitions: PartitionExtent[];
  /** One past the largest seq anywhere in the store. */
  end: number;
  chunkSize: number;
  pool: RowCheckPool;
  problem: (message: string) => void;
  onProgress?: (rowsChecked: number, total: number) => void;
  /** Rows read so far (records present; leaves whose row is gone are not counted). */
  rowsRead: number;
  /** Seqs of Vigil's own admin records. */
  adminSeqs: number[];
}

/**
 * Rows and recorded leaf hashes merged by seq, a range at a time. Several ranges are with the
 * workers at once; their verdicts are consumed in order while the next ones are being checked.
 */
async function* storedRecords(scan: Scan): AsyncGenerator<StoredRecord[]> {
  const inFlight: Array<{ from: number; to: number; verdicts: Promise<RangeVerdicts> }> = [];
  const depth = 2 * Math.max(1, scan.pool.threads);
  let next = 0;
  const refill = () => {
    for (; inFlight.length < depth && next < scan.end; next += scan.chunkSize) {
      const to = Math.min(scan.end, next + scan.chunkSize);
      const partitions = scan.partitions.filter((p) => p.minSeq < to && p.maxSeq >= next);
      inFlight.push({ from: next, to, verdicts: scan.pool.check({ from: next, to, partitions }) });
    }
  };
  refill();
  for (let head = inFlight.shift(); head; head = inFlight.shift()) {
    const verdicts = await head.verdicts;
    refill();
    for (const message of verdicts.problems) scan.problem(message);
    scan.rowsRead += verdicts.seqs.length;
    scan.adminSeqs.push(...verdicts.adminSeqs);
    scan.onProgress?.(scan.rowsRead, scan.end);
    yield mergeRange(scan.leaves.read(head.from, head.to), verdicts);
  }
}

/** One StoredRecord per row (a seq twice if two tables hold it) and one per leaf whose row is gone. */
function mergeRange(leaves: Array<[number, Buffer]>, verdicts: RangeVerdicts): StoredRecord[] {
  const { seqs, hashes, mismatches } = verdicts;
  const out: StoredRecord[] = [];
  let l = 0;
  for (let r = 0; r < seqs.length; r++) {
    const seq = seqs[r];
    for (; l < leaves.length && leaves[l][0] < seq; l++) out.push(goneRecord(leaves[l]));
    const recorded = l < leaves.length && leaves[l][0] === seq ? leaves[l][1] : null;
    const record: StoredRecord = { seq, leafBytes: null, contentHash: hashes.subarray(r * 32, r * 32 + 32), recordedLeafHash: recorded };
    const mismatch = mismatches.get(r);
    if (mismatch !== undefined) record.columnMismatch = mismatch;
    out.push(record);
    // A second row claiming the same seq is compared with the same leaf; move on once the rows pass it.
    if (recorded && (r + 1 >= seqs.length || seqs[r + 1] !== seq)) l++;
  }
  for (; l < leaves.length; l++) out.push(goneRecord(leaves[l]));
  return out;
}

function goneRecord([seq, hash]: [number, Buffer]): StoredRecord {
  return { seq, leafBytes: null, contentHash: null, recordedLeafHash: hash };
}

/**
 * Vigil signs a checkpoint right after each action it records (an ingest run, retention), so an
 * unsigned admin record means the checkpoints after it were deleted, and with them the protection
 * of every record after the last that remains; or Vigil stopped between the two steps.
 */
function checkSignedActions(uncovered: ReadonlyArray<{ from: number; to: number }>, adminSeqs: readonly number[], problem: (message: string) => void): void {
  const unsigned = adminSeqs.filter((seq) => uncovered.some((range) => range.from <= seq && seq < range.to));
  if (unsigned.length === 0) return;
  problem(
    `Vigil's own action at seq ${unsigned[0]} is not covered by a checkpoint, though one is signed right after each: the newest checkpoints were deleted ` +
      `(every record after the last one left could have been rewritten; check with a witness), or Vigil stopped in between (then vigil checkpoint signs it)`,
  );
}

/**
 * Queries pick partitions through the `partitions` index by time; a table missing from it, or
 * listed with a narrower time span than its rows, hides those rows from every query.
 */
function checkPartitionIndex(db: SqliteDatabase, partitions: readonly PartitionExtent[], problem: (message: string) => void): void {
  const tables = listPartitionTables(db);
  if (!hasTable(db, 'partitions')) {
    if (partitions.length > 0) problem('the partitions index is missing: queries find no records');
    return;
  }
  const index = new Map(
    (db.prepare('SELECT day, table_name AS tableName, min_ts AS minTs, max_ts AS maxTs FROM partitions').all() as Array<{ day: string; tableName: string; minTs: number; maxTs: number }>).map(
      (row) => [row.day, row],
    ),
  );
  for (const table of tables) index.delete(dayOfTable(table));
  for (const orphan of index.values()) problem(`the partitions index lists ${orphan.tableName}, which does not exist: queries over ${orphan.day} fail`);
  for (const partition of partitions) {
    const listed = db.prepare('SELECT table_name AS tableName, min_ts AS minTs, max_ts AS maxTs FROM partitions WHERE day = ?').get(partition.day) as
      | { tableName: string; minTs: number; maxTs: number }
      | undefined;
    const span = db.prepare(`SELECT min(ts) AS minTs, max(ts) AS maxTs FROM ${partition.table}`).get() as { minTs: number; maxTs: number };
    if (!listed || listed.tableName !== partition.table) {
      problem(`partition ${partition.table} is not in the partitions index: queries never read its records`);
    } else if (listed.minTs > span.minTs || listed.maxTs < span.maxTs) {
      problem(`the partitions index gives ${partition.table} a time span narrower than its records: queries miss some of them`);
    }
  }
}

async function readWitnesses(dirs: readonly string[]): Promise<{ notes: WitnessCheckpoint[]; problems: string[] }> {
  const notes: WitnessCheckpoint[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    try {
      notes.push({ witness: dir, note: await readFile(join(dir, 'checkpoint'), 'utf8') });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && existsSync(dir)) notes.push({ witness: dir, note: null });
      else problems.push(`witness ${dir} cannot be read (${code ?? (error as Error).message}): is the volume mounted?`);
    }
  }
  return { notes, problems };
}

/** A log that never signed has no key; a throwaway one checks nothing and trusts nothing. */
function unsignedLogVerifier(): VerifierKey {
  const { name, keyId, publicKey } = generateSigningKey('vigil/unsigned');
  return { name, keyId, publicKey };
}
