import { parentPort } from 'node:worker_threads';
import type { ScannedRow } from '../store/sqlite/ledger-scan.js';
import type { ChunkRequest, ChunkResponse } from './row-check-pool.js';
import { checkRow } from './row-check.js';

/** Worker thread of `RowCheckPool`: checks the rows of one chunk and answers with their hashes and mismatches. */

const port = parentPort;
if (!port) throw new Error('row-check-worker.js runs as a worker thread of vigil verify');

port.on('message', (request: ChunkRequest) => {
  try {
    const response = checkChunk(request.id, request.rows);
    port.postMessage(response, [response.hashes]);
  } catch (error) {
    const response: ChunkResponse = { id: request.id, error: (error as Error).stack ?? String(error) };
    port.postMessage(response);
  }
});

function checkChunk(id: number, rows: readonly ScannedRow[]): { id: number; hashes: ArrayBuffer; mismatches: Array<[number, string]> } {
  const hashes = new Uint8Array(new ArrayBuffer(rows.length * 32));
  const mismatches: Array<[number, string]> = [];
  rows.forEach((row, i) => {
    const verdict = checkRow(row);
    hashes.set(verdict.hash, i * 32);
    if (verdict.mismatch !== null) mismatches.push([i, verdict.mismatch]);
  });
  return { id, hashes: hashes.buffer, mismatches };
}
