import { availableParallelism } from 'node:os';
import type { AdminAction } from '../../ledger/admin-record.js';
import { type SigningKey, parseCheckpoint, verifierKeyText } from '../../ledger/checkpoint.js';
import { Checkpointer } from '../../ledger/checkpointer.js';
import { knownOrigin } from '../../ledger/ledger-identity.js';
import { type StoreVerifyReport, verifyStore } from '../../ledger/store-verify.js';
import { DirectoryWitness } from '../../ledger/witness.js';
import type { SqliteDatabase } from '../../store/sqlite/database.js';
import { type CheckpointRow, CheckpointTable, readLedgerFrontier } from '../../store/sqlite/ledger-checkpoints.js';

/** What the server's ledger session offers the integrity page. */
export interface LedgerHandle {
  key: SigningKey;
  record(action: AdminAction): void;
}

export interface IntegrityInputs {
  db: SqliteDatabase;
  dataDir?: string;
  witnessDirs: readonly string[];
  /** The signing key file, when not the data directory's default. */
  signingKey?: string;
  ledger?: LedgerHandle;
}

export type VerifyRun =
  | { state: 'never' }
  | { state: 'running'; startedAt: string; requestedBy: string }
  | { state: 'done'; startedAt: string; finishedAt: string; requestedBy: string; intact: boolean; report: VerifyReportSummary }
  | { state: 'failed'; startedAt: string; finishedAt: string; requestedBy: string; error: string };

/** A verify report cut to what a page shows: ranges other than intact ones, at most 50. */
export type VerifyReportSummary = Omit<StoreVerifyReport, 'ranges'> & { ranges: StoreVerifyReport['ranges']; rangesOmitted: number };

const MAX_RANGES = 50;

/**
 * The ledger as the integrity page shows it: the newest signed checkpoint and its age, records
 * not signed yet, what each witness holds, and the last `vigil verify` run from the UI, which
 * runs in the background (one at a time) on worker threads over a read snapshot.
 */
export class IntegrityStatus {
  private run: VerifyRun = { state: 'never' };
  private readonly checkpoints: CheckpointTable;

  constructor(private readonly inputs: IntegrityInputs) {
    this.checkpoints = new CheckpointTable(inputs.db);
  }

  get verifyAvailable(): boolean {
    return this.inputs.dataDir !== undefined;
  }

  async summary(now: number = Date.now()) {
    const latest = this.checkpoints.latest();
    const ledgerSize = readLedgerFrontier(this.inputs.db).size;
    return {
      origin: knownOrigin(this.inputs.db) ?? null,
      ledgerSize,
      checkpoint: latest ? checkpointView(latest, now) : null,
      checkpoints: this.checkpoints.count(),
      unsignedRecords: ledgerSize - (latest?.size ?? 0),
      publicKey: this.inputs.ledger ? verifierKeyText(this.inputs.ledger.key) : null,
      witnesses: await this.witnesses(),
      verify: this.run,
      verifyAvailable: this.verifyAvailable,
    };
  }

  /** Signs a checkpoint now if records arrived since the last one (proofs need one that covers their record). */
  async signNow(): Promise<CheckpointRow | undefined> {
    if (!this.inputs.ledger) return this.checkpoints.latest();
    const outcome = await new Checkpointer(this.inputs.db, this.inputs.ledger.key, []).checkpoint({ publishUnchanged: false });
    return outcome.latest;
  }

  /** Starts a verification unless one is running; returns the run's state. */
  startVerify(requestedBy: string): VerifyRun {
    const dataDir = this.inputs.dataDir;
    if (dataDir === undefined) throw new Error('this server was started without a data directory to verify');
    if (this.run.state === 'running') return this.run;
    const startedAt = new Date().toISOString();
    this.run = { state: 'running', startedAt, requestedBy };
    const threads = Math.min(2, availableParallelism());
    void verifyStore({ dataDir, witnessDirs: this.inputs.witnessDirs, keyFile: this.inputs.signingKey, threads }).then(
      (report) => this.finish({ state: 'done', startedAt, finishedAt: new Date().toISOString(), requestedBy, intact: report.intact, report: summarize(report) }),
      (error: Error) => this.finish({ state: 'failed', startedAt, finishedAt: new Date().toISOString(), requestedBy, error: error.message }),
    );
    return this.run;
  }

  private finish(run: VerifyRun): void {
    this.run = run;
    if (run.state === 'running' || run.state === 'never') return;
    const intact = run.state === 'done' && run.intact;
    this.inputs.ledger?.record({
      action: 'ledger.verify',
      outcome: intact ? 'success' : 'failure',
      summary: run.state === 'done' ? `verify from the UI: ${intact ? 'intact' : 'NOT INTACT'}` : `verify from the UI failed: ${run.error}`,
      details: { requestedBy: run.requestedBy, startedAt: run.startedAt, finishedAt: run.finishedAt, ...(run.state === 'done' ? { records: run.report.records } : {}) },
    });
  }

  private async witnesses() {
    const key = this.inputs.ledger?.key;
    return Promise.all(
      this.inputs.witnessDirs.map(async (dir) => {
        if (!key) return { dir, size: null, signedAt: null, error: 'no signing key loaded' };
        try {
          const held = await new DirectoryWitness(dir, key).latest();
          return { dir, size: held?.checkpoint.size ?? null, signedAt: held ? new Date(held.checkpoint.timestampMs).toISOString() : null, error: null };
        } catch (error) {
          return { dir, size: null, signedAt: null, error: (error as Error).message };
        }
      }),
    );
  }
}

function checkpointView(row: CheckpointRow, now: number) {
  const head = parseCheckpoint(row.note);
  return { size: row.size, root: head.root.toString('base64'), signedAt: new Date(row.signedAt).toISOString(), ageSeconds: Math.max(0, (now - row.signedAt) / 1000), note: row.note };
}

function summarize(report: StoreVerifyReport): VerifyReportSummary {
  const notIntact = report.ranges.filter((range) => range.kind !== 'intact');
  return { ...report, ranges: notIntact.slice(0, MAX_RANGES), rangesOmitted: Math.max(0, notIntact.length - MAX_RANGES) };
}
