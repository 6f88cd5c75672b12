import type { AdminAction } from '../../ledger/admin-record.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import { type IngestSummary, formatSummary } from '../../ingest/ingest.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';

/** The ledger part of `vigil ingest`: checkpoints every second and at the end, witnesses, the run recorded as an admin record. */

export interface IngestLedgerOptions {
  dataDir: string;
  cluster: string;
  source: string;
  witness: string[];
  signingKey?: string;
}

export async function openLedger(store: SqliteStore, options: IngestLedgerOptions): Promise<LedgerSession> {
  const ledger = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, (message) =>
    process.stderr.write(`vigil: ${message}\n`),
  );
  ledger.startTicker();
  return ledger;
}

/** Records the run, signs a checkpoint covering everything stored and publishes it; returns the witness failures seen. */
export async function finishLedger(ledger: LedgerSession, action: AdminAction): Promise<number> {
  ledger.record(action);
  const end = await ledger.finish();
  if (end.witnessFailures > 0) process.stderr.write(`vigil: ${end.witnessFailures} witness submission(s) failed; the records are stored, but check the witnesses and run vigil verify\n`);
  return end.witnessFailures;
}

export function ingestRunAction(paths: readonly string[], options: IngestLedgerOptions, startedAt: number, result: IngestSummary | Error): AdminAction {
  const failed = result instanceof Error;
  const counts = failed ? {} : { accepted: result.accepted, duplicates: result.duplicates, quarantined: result.quarantined };
  return {
    action: 'ingest.run',
    outcome: failed ? 'failure' : 'success',
    summary: failed ? `ingest of ${paths.join(', ')} failed: ${result.message}` : `ingest of ${paths.join(', ')}: ${formatSummary(result)}`,
    details: {
      inputs: paths,
      cluster: options.cluster,
      source: options.source,
      startedAt: new Date(startedAt).toISOString(),
      ...counts,
      ...(failed ? { error: result.message } : {}),
    },
  };
}
