import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type AdminAction, adminEvent } from './admin-record.js';
import type { SigningKey } from './checkpoint.js';
import { type CheckpointOutcome, Checkpointer } from './checkpointer.js';
import { loadLogSigningKey } from './ledger-identity.js';

/**
 * The ledger side of a command that writes the store (`vigil ingest`, `vigil serve`): signs a
 * checkpoint every second while records arrive and one at the end, copies them to the witnesses,
 * and appends Vigil's own actions as records. Witness refusals are reported once per witness and
 * reason, and counted, so the command can fail loudly; the stored records are never touched.
 */

export interface LedgerSessionOptions {
  dataDir: string;
  /** `--signing-key`; default `<data dir>/ledger.key`, created on first use. */
  keyFile?: string;
  witnessDirs: readonly string[];
  /** How often to sign while records arrive. */
  intervalMs?: number;
}

export interface SessionEnd {
  /** Witness rejections and unreachable witnesses seen during the session. */
  witnessFailures: number;
  final: CheckpointOutcome;
}

export class LedgerSession {
  private ticker: { stop(): Promise<void> } | undefined;
  private readonly reported = new Map<string, string>();
  private failures = 0;

  private constructor(
    private readonly store: SqliteStore,
    /** The log's key (its public half verifies the checkpoints this session signs). */
    readonly key: SigningKey,
    private readonly checkpointer: Checkpointer,
    private readonly report: (message: string) => void,
    private readonly intervalMs: number,
  ) {}

  static async open(store: SqliteStore, options: LedgerSessionOptions, report: (message: string) => void): Promise<LedgerSession> {
    const key = await loadLogSigningKey(store.db, options.dataDir, options.keyFile);
    return new LedgerSession(store, key, new Checkpointer(store.db, key, options.witnessDirs), report, options.intervalMs ?? 1000);
  }

  /** Signs whenever the tree grew, every interval, until `finish()`; never keeps the process alive. */
  startTicker(): void {
    this.ticker ??= this.checkpointer.startTicker(
      this.intervalMs,
      (outcome) => this.note(outcome),
      (error) => this.report(`signing a checkpoint failed: ${error.message}`),
    );
  }

  /**
   * Appends an action of Vigil's own to the log together with the checkpoint that signs it, in
   * one transaction: no reader (a `vigil verify` beside a running server) ever sees an unsigned
   * action of Vigil's, which is what lets verify treat one as a sign of deleted checkpoints.
   * The witnesses get the checkpoint right after.
   */
  record(action: AdminAction): void {
    this.store.db
      .transaction(() => {
        this.store.appendSync([adminEvent(action)]);
        this.checkpointer.signPending();
      })
      .immediate();
    this.checkpointer.checkpoint().then(
      (outcome) => this.note(outcome),
      (error: Error) => this.report(`signing a checkpoint failed: ${error.message}`),
    );
  }

  /**
   * Signs what is not signed yet and sends the newest checkpoint to every witness, now, leaving
   * the ticker running: for a step inside a long-running command (an archive run in `vigil serve`)
   * that needs its records signed before it goes on.
   */
  async checkpointNow(): Promise<CheckpointOutcome> {
    const outcome = await this.checkpointer.checkpoint();
    this.note(outcome);
    return outcome;
  }

  /** Stops the ticker, signs what is not signed yet and sends the newest checkpoint to every witness. */
  async finish(): Promise<SessionEnd> {
    await this.ticker?.stop();
    this.ticker = undefined;
    const final = await this.checkpointer.checkpoint();
    this.note(final);
    return { witnessFailures: this.failures, final };
  }

  private note(outcome: CheckpointOutcome): void {
    for (const witness of outcome.witnesses) {
      if (!witness.error) {
        this.reported.delete(witness.dir);
        continue;
      }
      this.failures += 1;
      const message = witness.status === 'rejected' ? `WITNESS REJECTED the checkpoint: ${witness.error.message}` : `witness ${witness.dir} could not be written: ${witness.error.message}`;
      if (this.reported.get(witness.dir) === message) continue;
      this.reported.set(witness.dir, message);
      this.report(message);
    }
  }
}
