import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATABASE_FILE, type SqliteDatabase, openDatabase } from '../store/sqlite/database.js';
import { CheckpointTable, readLedgerFrontier } from '../store/sqlite/ledger-checkpoints.js';
import { hasTable } from '../store/sqlite/ledger-meta.js';
import { LedgerScanner, type ScanChunk } from '../store/sqlite/ledger-scan.js';
import type { VerifierKey } from './checkpoint.js';
import { type ResolvedVerifier, knownOrigin, resolveVerifier } from './ledger-identity.js';
import { retentionDeclarations } from './retention.js';
import { type ChunkVerdicts, RowCheckPool } from './row-check-pool.js';
import { generateSigningKey } from './signing-key.js';
import type { VerifyReport } from './verify-report.js';
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
}

const DEFAULT_CHUNK = 4096;

export async function verifyStore(options: StoreVerifyOptions): Promise<StoreVerifyReport> {
  if (!existsSync(join(options.dataDir, DATABASE_FILE))) {
    throw new Error(`no Vigil store in ${options.dataDir} (no ${DATABASE_FILE}); pass --data-dir`);
  }
  const db = openDatabase(options.dataDir, { readonly: true });
  const pool = new RowCheckPool(options.threads);
  try {
    const resolved = await resolveVerifier(db, options.dataDir, options);
    const witnesses = await readWitnesses(options.witnessDirs);
    db.exec('BEGIN');
    try {
      return await verifySnapshot(db, resolved, witnesses, pool, options);
    } finally {
      db.exec('COMMIT');
    }
  } finally {
    await pool.close();
    db.close();
  }
}

async function verifySnapshot(
  db: SqliteDatabase,
  resolved: ResolvedVerifier | undefined,
  witnesses: { notes: WitnessCheckpoint[]; problems: string[] },
  pool: RowCheckPool,
  options: StoreVerifyOptions,
): Promise<StoreVerifyReport> {
  const storeProblems = [...witnesses.problems];
  const problem = (message: string) => storeProblems.push(message);
  const ledgerSize = readLedgerFrontier(db).size;
  const retention = retentionDeclarations(db, problem);
  const scanner = new LedgerScanner(db, problem);
  const report = await verifyLedger({
    records: storedRecords(scanner, pool, options.chunkSize ?? DEFAULT_CHUNK, options.onProgress),
    ledgerSize,
    checkpoints: signedCheckpoints(db),
    witnesses: witnesses.notes,
    retention,
    verifier: resolved?.key ?? unsignedLogVerifier(),
  });
  checkPartitionIndex(db, scanner, problem);
  return {
    ...report,
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

/**
 * Rows and recorded leaf hashes merged by seq. A few chunks are in the workers at any time; the
 * next chunk is read from SQLite while they work, and verdicts are consumed in order.
 */
async function* storedRecords(scanner: LedgerScanner, pool: RowCheckPool, chunkSize: number, onProgress?: (rows: number, total: number) => void): AsyncGenerator<StoredRecord[]> {
  const chunks = scanner.chunks(chunkSize);
  const inFlight: Array<{ chunk: ScanChunk; verdicts: Promise<ChunkVerdicts> }> = [];
  const depth = 2 + 2 * Math.max(1, pool.threads);
  let checked = 0;
  const refill = () => {
    while (inFlight.length < depth) {
      const next = chunks.next();
      if (next.done) return;
      inFlight.push({ chunk: next.value, verdicts: pool.check(next.value.rows) });
    }
  };
  refill();
  for (let head = inFlight.shift(); head; head = inFlight.shift()) {
    const verdicts = await head.verdicts;
    refill();
    checked += head.chunk.rows.length;
    onProgress?.(checked, scanner.end);
    yield mergeChunk(head.chunk, verdicts);
  }
}

/** One StoredRecord per row (a seq twice if two tables hold it) and one per leaf whose row is gone. */
function mergeChunk(chunk: ScanChunk, verdicts: ChunkVerdicts): StoredRecord[] {
  const { leaves, rows } = chunk;
  const out: StoredRecord[] = [];
  let l = 0;
  for (let r = 0; r < rows.length; r++) {
    const seq = rows[r][0];
    while (l < leaves.length && leaves[l][0] < seq) {
      out.push({ seq: leaves[l][0], leafBytes: null, contentHash: null, recordedLeafHash: leaves[l][1] });
      l++;
    }
    const recorded = l < leaves.length && leaves[l][0] === seq ? leaves[l][1] : null;
    const record: StoredRecord = { seq, leafBytes: null, contentHash: verdicts.hashes.subarray(r * 32, r * 32 + 32), recordedLeafHash: recorded };
    const mismatch = verdicts.mismatches.get(r);
    if (mismatch !== undefined) record.columnMismatch = mismatch;
    out.push(record);
    // Keep the leaf for a second row claiming the same seq; move on once the rows pass it.
    if (recorded && (r + 1 >= rows.length || rows[r + 1][0] !== seq)) l++;
  }
  for (; l < leaves.length; l++) out.push({ seq: leaves[l][0], leafBytes: null, contentHash: null, recordedLeafHash: leaves[l][1] });
  return out;
}

/**
 * Queries pick partitions through the `partitions` index by time; a table missing from it, or
 * listed with a narrower time span than its rows, hides those rows from every query.
 */
function checkPartitionIndex(db: SqliteDatabase, scanner: LedgerScanner, problem: (message: string) => void): void {
  if (!hasTable(db, 'partitions')) {
    if (scanner.partitions.length > 0) problem('the partitions index is missing: queries find no records');
    return;
  }
  const index = new Map(
    (db.prepare('SELECT day, table_name AS tableName, min_ts AS minTs, max_ts AS maxTs FROM partitions').all() as Array<{ day: string; tableName: string; minTs: number; maxTs: number }>).map(
      (row) => [row.day, row],
    ),
  );
  for (const partition of scanner.partitions) {
    const listed = index.get(partition.day);
    index.delete(partition.day);
    const span = db.prepare(`SELECT min(ts) AS minTs, max(ts) AS maxTs FROM ${partition.table}`).get() as { minTs: number; maxTs: number };
    if (!listed || listed.tableName !== partition.table) {
      problem(`partition ${partition.table} is not in the partitions index: queries never read its records`);
    } else if (listed.minTs > span.minTs || listed.maxTs < span.maxTs) {
      problem(`the partitions index gives ${partition.table} a time span narrower than its records: queries miss some of them`);
    }
  }
  for (const orphan of index.values()) problem(`the partitions index lists ${orphan.tableName}, which does not exist: queries over ${orphan.day} fail`);
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
