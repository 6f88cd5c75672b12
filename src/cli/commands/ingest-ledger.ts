import { type IngestSummary, formatSummary } from '../../ingest/ingest.js';
import type { AdminAction } from '../../ledger/admin-record.js';
import { LedgerSession } from '../../ledger/ledger-session.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';

/** The ledger part of `vigil ingest`: checkpoints every second and at the end, witnesses, the run recorded as an admin record. */

export interface IngestLedgerOptions {
  dataDir: string;
  cluster: string;
  source: string;
  witness: string[];
  signingKey?: string;
}

export interface IngestLedger {
  /** Records the run, signs a checkpoint covering everything stored and publishes it; returns the witness failures seen. */
  finish(result: IngestSummary | Error): Promise<number>;
}

export async function openLedger(store: SqliteStore, paths: readonly string[], options: IngestLedgerOptions): Promise<IngestLedger> {
  const session = await LedgerSession.open(store, { dataDir: options.dataDir, keyFile: options.signingKey, witnessDirs: options.witness }, (message) =>
    process.stderr.write(`vigil: ${message}\n`),
  );
  session.startTicker();
  const run = { startedAt: Date.now(), firstSeq: store.treeSize };
  return {
    async finish(result) {
      session.record(ingestRunAction(paths, options, { ...run, endSeq: store.treeSize }, result));
      const end = await session.finish();
      if (end.witnessFailures > 0) {
        process.stderr.write(`vigil: ${end.witnessFailures} witness submission(s) failed; the records are stored, but check the witnesses and run vigil verify\n`);
      }
      return end.witnessFailures;
    },
  };
}

function ingestRunAction(
  paths: readonly string[],
  options: IngestLedgerOptions,
  run: { startedAt: number; firstSeq: number; endSeq: number },
  result: IngestSummary | Error,
): AdminAction {
  const failed = result instanceof Error;
  const inputs = paths.join(', ');
  return {
    action: 'ingest.run',
    outcome: failed ? 'failure' : 'success',
    summary: failed ? `ingest of ${inputs} failed: ${result.message}` : `ingest of ${inputs}: ${formatSummary(result)}`,
    details: {
      inputs: paths,
      cluster: options.cluster,
      source: options.source,
      startedAt: new Date(run.startedAt).toISOString(),
      // The leaves this run appended: [firstSeq, endSeq).
      firstSeq: run.firstSeq,
      endSeq: run.endSeq,
      ...(failed ? { error: result.message } : { accepted: result.accepted, duplicates: result.duplicates, quarantined: result.quarantined }),
    },
  };
}
