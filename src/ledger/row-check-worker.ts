import { parentPort, workerData } from 'node:worker_threads';
import { PartitionRows, openScanConnection } from '../store/sqlite/ledger-scan.js';
import { type WorkerMessage, type WorkerRequest, type WorkerSetup, checkRange, snapshotFingerprint } from './row-check-pool.js';

/** Worker thread of `RowCheckPool`: its own read-only snapshot of the store, checking one seq range per request. */

const port = parentPort;
if (!port) throw new Error('row-check-worker.js runs as a worker thread of vigil verify');
const setup = workerData as WorkerSetup;

const db = openScanConnection(setup.dataDir);
db.exec('BEGIN');
const fingerprint = snapshotFingerprint(db, setup.tables);
const problems: string[] = [];
const rows = new PartitionRows(db, (message) => problems.push(message));
const ready: WorkerMessage = fingerprint === setup.fingerprint ? { type: 'ready' } : { type: 'ready', changed: 'retention was applied or partitions were dropped meanwhile' };
port.postMessage(ready);

port.on('message', (request: WorkerRequest) => {
  try {
    const verdicts = checkRange(rows, request);
    const seqs = verdicts.seqs.buffer as ArrayBuffer;
    const hashes = verdicts.hashes.buffer.slice(verdicts.hashes.byteOffset, verdicts.hashes.byteOffset + verdicts.hashes.length) as ArrayBuffer;
    const message: WorkerMessage = { type: 'verdicts', id: request.id, seqs, hashes, mismatches: [...verdicts.mismatches], problems: problems.splice(0), adminSeqs: verdicts.adminSeqs };
    port.postMessage(message, [seqs, hashes]);
  } catch (error) {
    const message: WorkerMessage = { type: 'failed', id: request.id, error: (error as Error).stack ?? String(error) };
    port.postMessage(message);
  }
});
