import { Worker } from 'node:worker_threads';
import type { ScannedRow } from '../store/sqlite/ledger-scan.js';
import { checkRow } from './row-check.js';

/**
 * Runs `checkRow` over chunks of rows on worker threads (decoding JSON and hashing dominate
 * `vigil verify`), or inline when no threads are asked for. Answers come back per chunk; the
 * caller awaits them in the order it asked, so the tree is still fed in seq order.
 */

export interface ChunkRequest {
  id: number;
  rows: ScannedRow[];
}

export type ChunkResponse = { id: number; hashes: ArrayBuffer; mismatches: Array<[number, string]> } | { id: number; error: string };

export interface ChunkVerdicts {
  /** Row i's leaf hash is bytes [32i, 32i + 32). */
  hashes: Buffer;
  /** Row index -> what differs between its stored and re-derived columns. */
  mismatches: Map<number, string>;
}

export class RowCheckPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (v: ChunkVerdicts) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./row-check-worker.js', import.meta.url));
      worker.on('message', (response: ChunkResponse) => this.settle(response));
      worker.on('error', (error) => this.fail(error));
      this.workers.push(worker);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  check(rows: ScannedRow[]): Promise<ChunkVerdicts> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) return Promise.resolve(checkInline(rows));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: ChunkRequest = { id, rows };
      this.workers[id % this.workers.length].postMessage(request);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private settle(response: ChunkResponse): void {
    const waiter = this.waiting.get(response.id);
    if (!waiter) return;
    this.waiting.delete(response.id);
    if ('error' in response) waiter.reject(new Error(`verify worker failed: ${response.error}`));
    else waiter.resolve({ hashes: Buffer.from(response.hashes), mismatches: new Map(response.mismatches) });
  }

  private fail(error: Error): void {
    this.failure = new Error(`verify worker thread died: ${error.message}`, { cause: error });
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

function checkInline(rows: readonly ScannedRow[]): ChunkVerdicts {
  const hashes = Buffer.allocUnsafe(rows.length * 32);
  const mismatches = new Map<number, string>();
  rows.forEach((row, i) => {
    const verdict = checkRow(row);
    verdict.hash.copy(hashes, i * 32);
    if (verdict.mismatch !== null) mismatches.set(i, verdict.mismatch);
  });
  return { hashes, mismatches };
}
