import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { hasTable } from '../store/sqlite/ledger-meta.js';
import { type PartitionExtent, PartitionRows, type ScanProblem } from '../store/sqlite/ledger-scan.js';
import { ADMIN_SOURCE } from './admin-record.js';
import { checkRow } from './row-check.js';

/**
 * Runs the per-row work of `vigil verify` (read the rows, decode, compare columns, hash) over seq
 * ranges on worker threads, each with its own read-only connection, or inline on the caller's
 * connection when no threads are asked for. Answers come back per range; the caller awaits them
 * in the order it asked, so the tree is still fed in seq order.
 *
 * Each worker reads in its own snapshot, opened right after the caller's. Appends in between only
 * add seqs beyond the range verified; retention in between would remove rows the caller expects,
 * so every worker compares a fingerprint of the retention bookkeeping and partition tables with
 * the caller's and the run stops if they differ.
 */

/**
 * Decoding leaves a parse tree per record that dies at once; a young generation larger than V8's
 * default lets more of them die between scavenges instead of being copied.
 */
const YOUNG_GENERATION_MB = 32;

export interface RangeTask {
  from: number;
  to: number;
  partitions: PartitionExtent[];
}

export interface RangeVerdicts {
  /** Seqs of the rows read, ascending; row i's leaf hash is hashes[32i, 32i + 32). */
  seqs: Float64Array;
  hashes: Buffer;
  /** Row index -> what differs between its stored and re-derived columns. */
  mismatches: Map<number, string>;
  /** Tables that could not be read (reported by workers; inline reads report directly). */
  problems: string[];
  /** Seqs of the rows stored as Vigil's own admin records. */
  adminSeqs: number[];
}

export interface WorkerSetup {
  dataDir: string;
  /** The caller's snapshot fingerprint and the tables it covers. */
  fingerprint: string;
  tables: string[];
}

export type WorkerMessage =
  | { type: 'ready'; changed?: string }
  | { type: 'verdicts'; id: number; seqs: ArrayBuffer; hashes: ArrayBuffer; mismatches: Array<[number, string]>; problems: string[]; adminSeqs: number[] }
  | { type: 'failed'; id: number; error: string };

export interface WorkerRequest extends RangeTask {
  id: number;
}

export class RowCheckPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (v: RangeVerdicts) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(private readonly inline: PartitionRows) {}

  /** Starts `threads` workers on the store in `setup.dataDir` (none: check on `db`, reporting unreadable tables to `report`). */
  static async start(db: SqliteDatabase, threads: number, setup: WorkerSetup, report: ScanProblem): Promise<RowCheckPool> {
    const pool = new RowCheckPool(new PartitionRows(db, report));
    const ready: Array<Promise<void>> = [];
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./row-check-worker.js', import.meta.url), { workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      ready.push(pool.adopt(worker));
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length;
  }

  check(task: RangeTask): Promise<RangeVerdicts> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) return Promise.resolve(checkRange(this.inline, task));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: WorkerRequest = { id, ...task };
      this.workers[id % this.workers.length].postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private adopt(worker: Worker): Promise<void> {
    this.workers.push(worker);
    return new Promise((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          if (message.changed) reject(new Error(`the store changed while verify started (${message.changed}); run vigil verify again`));
          else resolve();
        } else this.settle(message);
      });
      worker.on('error', (error) => {
        reject(error);
        this.fail(error);
      });
    });
  }

  private settle(message: Exclude<WorkerMessage, { type: 'ready' }>): void {
    const waiter = this.waiting.get(message.id);
    if (!waiter) return;
    this.waiting.delete(message.id);
    if (message.type === 'failed') {
      waiter.reject(new Error(`verify worker failed: ${message.error}`));
      return;
    }
    waiter.resolve({
      seqs: new Float64Array(message.seqs),
      hashes: Buffer.from(message.hashes),
      mismatches: new Map(message.mismatches),
      problems: message.problems,
      adminSeqs: message.adminSeqs,
    });
  }

  private fail(error: Error): void {
    this.failure = new Error(`verify worker thread died: ${error.message}`, { cause: error });
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

/** Reads and checks the rows of one range; the same work inline and in a worker. */
export function checkRange(rows: PartitionRows, task: RangeTask): RangeVerdicts {
  const found = rows.read(task.from, task.to, task.partitions);
  const seqs = new Float64Array(found.length);
  const hashes = Buffer.allocUnsafe(found.length * 32);
  const mismatches = new Map<number, string>();
  const adminSeqs: number[] = [];
  found.forEach((row, i) => {
    const verdict = checkRow(row);
    seqs[i] = row[0];
    if (row[2] === ADMIN_SOURCE) adminSeqs.push(row[0]);
    verdict.hash.copy(hashes, i * 32);
    if (verdict.mismatch !== null) mismatches.set(i, verdict.mismatch);
  });
  return { seqs, hashes, mismatches, problems: [], adminSeqs };
}

/** What must be the same in the caller's and a worker's snapshot: retention bookkeeping and the partition tables. */
export function snapshotFingerprint(db: SqliteDatabase, tables: readonly string[]): string {
  const retention = hasTable(db, 'retention_ranges')
    ? (db.prepare('SELECT count(*) || \'/\' || ifnull(max(declared_by), -1) FROM retention_ranges').pluck().get() as string)
    : 'none';
  const present = tables.filter((table) => hasTable(db, table));
  return `${retention}|${present.join(',')}`;
}
