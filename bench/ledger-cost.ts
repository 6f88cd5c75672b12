import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { leafBytes } from '../src/ledger/leaf.js';
import { MerkleFrontier, leafHash } from '../src/ledger/merkle.js';
import { normalizeAuditEvent } from '../src/model/k8s-audit.js';
import type { VigilEvent } from '../src/model/event.js';
import { openDatabase } from '../src/store/sqlite/database.js';

/** How many of the dataset's events the estimate uses. */
const SAMPLE = 100_000;
const BATCH = 1000;

/**
 * What the ledger adds to every stored record, measured in this process on a sample of the
 * bench data: the leaf hash, the frontier update and the leaf row (seq, id, day, hash) written
 * in the store's batches and pragmas. `vigil ingest` cannot run without its ledger (the leaf
 * table is also its dedup index), so this is the part an ingest would save without it.
 */
export async function ledgerSecondsPerEvent(datasetPath: string): Promise<number> {
  const events = await sampleEvents(datasetPath);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ledger-cost-'));
  const db = openDatabase(dir, { durability: 'close' });
  try {
    db.exec('CREATE TABLE leaves (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, day TEXT NOT NULL, hash BLOB NOT NULL)');
    const insert = db.prepare('INSERT OR IGNORE INTO leaves (seq, id, day, hash) VALUES (?, ?, ?, ?)');
    const frontier = MerkleFrontier.empty();
    const started = process.hrtime.bigint();
    for (let from = 0; from < events.length; from += BATCH) {
      db.transaction(() => {
        for (const event of events.slice(from, from + BATCH)) {
          const hash = leafHash(leafBytes(event));
          insert.run(frontier.size, event.id, '20250602', hash);
          frontier.append(hash);
        }
      })();
    }
    return Number(process.hrtime.bigint() - started) / 1e9 / events.length;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sampleEvents(path: string): Promise<VigilEvent[]> {
  const events: VigilEvent[] = [];
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    events.push(normalizeAuditEvent(JSON.parse(line) as Record<string, unknown>, line, 'bench'));
    if (events.length === SAMPLE) break;
  }
  lines.close();
  return events;
}
