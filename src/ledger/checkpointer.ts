import type { SqliteDatabase } from '../store/sqlite/database.js';
import { type CheckpointRow, CheckpointTable, readLedgerFrontier } from '../store/sqlite/ledger-checkpoints.js';
import { type ParsedCheckpoint, type SigningKey, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import { LedgerProofs } from './proof-source.js';
import { ProofError } from './proofs.js';
import { DirectoryWitness, WitnessForkError, WitnessRejectedError } from './witness.js';

/**
 * Signs checkpoints of the store's ledger and copies them to the witnesses. A checkpoint is
 * signed only when the tree grew since the last one; each witness is sent the newest checkpoint
 * with the consistency proof from the size it holds. A witness that refuses is reported, never
 * retried into silence, and never stops the store: the records are committed before they are signed.
 */

export type WitnessStatus = 'accepted' | 'unchanged' | 'rejected' | 'unreachable';

export interface WitnessOutcome {
  dir: string;
  status: WitnessStatus;
  /** Why a witness refused (a rollback or fork: loud) or could not be written (a missing mount). */
  error?: Error;
}

export interface CheckpointOutcome {
  /** The newest checkpoint, undefined while the store has none. */
  latest: CheckpointRow | undefined;
  /** True when this call signed `latest`. */
  signed: boolean;
  witnesses: WitnessOutcome[];
}

export interface CheckpointRequest {
  /** Send the newest checkpoint to the witnesses even when nothing new was signed (default true). */
  publishUnchanged?: boolean;
  /** Sign a checkpoint of the empty tree when the store has none (default false). */
  signEmpty?: boolean;
}

export class Checkpointer {
  private readonly checkpoints: CheckpointTable;
  private readonly proofs: LedgerProofs;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly key: SigningKey,
    readonly witnessDirs: readonly string[],
    private readonly clock: () => number = Date.now,
  ) {
    this.checkpoints = new CheckpointTable(db);
    this.proofs = new LedgerProofs(db);
  }

  /** Signs if the tree grew, then publishes; calls are serialized so a timer and a final call never overlap. */
  checkpoint(request: CheckpointRequest = {}): Promise<CheckpointOutcome> {
    const run = this.queue.then(() => this.run(request));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Checks every `intervalMs` and signs when records arrived. The timer is unref'd: it never keeps
   * the process alive; `stop()` clears it and waits for a round in progress.
   */
  startTicker(intervalMs: number, onOutcome: (outcome: CheckpointOutcome) => void, onError: (error: Error) => void): { stop(): Promise<void> } {
    let round: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (round) return;
      round = this.checkpoint({ publishUnchanged: false })
        .then(onOutcome, onError)
        .finally(() => {
          round = undefined;
        });
    }, intervalMs);
    timer.unref();
    return {
      async stop() {
        clearInterval(timer);
        await round;
      },
    };
  }

  /**
   * Signs a checkpoint now, inside the caller's transaction when there is one, without
   * publishing; the next `checkpoint()` sends it to the witnesses.
   */
  signPending(): void {
    this.signIfGrown(false);
  }

  private async run(request: CheckpointRequest): Promise<CheckpointOutcome> {
    const { latest, signed } = this.signIfGrown(request.signEmpty ?? false);
    const publish = latest !== undefined && (signed || (request.publishUnchanged ?? true));
    // A witness must never hold a checkpoint of records a power cut could still take: with
    // synchronous=NORMAL (bulk ingest) only a WAL checkpoint fsyncs the WAL, so run one first.
    if (publish && this.witnessDirs.length > 0 && !this.db.readonly) this.db.pragma('wal_checkpoint(PASSIVE)');
    const witnesses = publish ? await Promise.all(this.witnessDirs.map((dir) => this.publish(dir, latest))) : [];
    return { latest, signed, witnesses };
  }

  private signIfGrown(signEmpty: boolean): { latest: CheckpointRow | undefined; signed: boolean } {
    return this.db.transaction(() => {
      const frontier = readLedgerFrontier(this.db);
      const latest = this.checkpoints.latest();
      const grew = latest ? frontier.size > latest.size : frontier.size > 0 || signEmpty;
      if (!grew) return { latest, signed: false };
      const signedAt = this.clock();
      const note = signCheckpoint({ origin: this.key.name, size: frontier.size, root: frontier.root(), timestampMs: signedAt }, this.key);
      const row: CheckpointRow = { size: frontier.size, signedAt, note, frontier: frontier.serialize() };
      const signed = this.checkpoints.insert(row);
      return { latest: signed ? row : this.checkpoints.latest(), signed };
    })();
  }

  private async publish(dir: string, latest: CheckpointRow): Promise<WitnessOutcome> {
    const witness = new DirectoryWitness(dir, this.key);
    try {
      const held = (await witness.latest())?.checkpoint;
      const proof = held && held.size > 0 && held.size < latest.size ? await this.proveExtension(dir, held, latest) : [];
      return { dir, status: await witness.submit(latest.note, proof) };
    } catch (error) {
      return { dir, status: error instanceof WitnessRejectedError ? 'rejected' : 'unreachable', error: error as Error };
    }
  }

  /** The consistency proof from the witness's checkpoint; when the leaves cannot give one, the store's history is not the one the witness saw. */
  private async proveExtension(dir: string, held: ParsedCheckpoint, latest: CheckpointRow): Promise<Buffer[]> {
    try {
      return await this.proofs.consistencyProof(held.size, held.root, latest.size, parseCheckpoint(latest.note).root);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      throw new WitnessForkError(
        `witness ${dir} holds a checkpoint of size ${held.size} that this store's ledger does not extend (${error.message}): the store was rolled back, rewritten or tampered with; run vigil verify --witness ${dir}`,
        { cause: error },
      );
    }
  }
}
