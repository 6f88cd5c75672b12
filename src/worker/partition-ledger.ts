import type { WitnessOutcome } from '../ledger/checkpointer.js';
import type { ConsumerLog } from './partition-consumer.js';

/** A partition's Merkle log as its writer signs it: each partition is its own log with its own checkpoints and witness copies. */
export interface PartitionLedger {
  /** The verifier key of this log's checkpoints (`vigil/<id>/p<N>+…` or `vigil/<id>+…`). */
  readonly verifierKey: string;
  /**
   * Signs a checkpoint when the log grew since its newest one and offers it to the witnesses;
   * `catchUp` also offers an unchanged newest checkpoint (a previous owner may have died between
   * signing and witnessing).
   */
  checkpoint(options: { catchUp: boolean }): Promise<{ size: number | undefined; witnesses: readonly WitnessOutcome[] }>;
}

/** Opens the ledger of a partition the worker has just taken, over that partition's store. */
export type PartitionLedgerFactory<S> = (partition: number, store: S) => Promise<PartitionLedger>;

/** How often a partition's log is signed while records arrive (the design's "at least every second"). */
export const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * Signs one partition's log about once a second while its owner holds it, and once more when it
 * lets go. A store that is down makes signing fail every second: that is warned about once per
 * distinct reason, and once more when signing works again, never once per attempt.
 */
export class PartitionSigner {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private failing: string | undefined;
  private readonly witnessProblems = new Map<string, string>();
  private caughtUp = false;

  constructor(
    private readonly partition: number,
    private readonly ledger: PartitionLedger,
    private readonly log: ConsumerLog,
    private readonly intervalMs = CHECKPOINT_INTERVAL_MS,
  ) {}

  /** The first round runs at once: whatever a killed previous owner stored but never signed is signed now. */
  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.tick();
  }

  /** Stops the rounds; `final` signs what was stored since the last one (only while the lease is still held). */
  async stop(final: boolean): Promise<void> {
    clearInterval(this.timer);
    await this.round;
    if (final) await this.sign();
  }

  private tick(): void {
    this.round ??= this.sign().finally(() => {
      this.round = undefined;
    });
  }

  private async sign(): Promise<void> {
    const { partition } = this;
    try {
      const outcome = await this.ledger.checkpoint({ catchUp: !this.caughtUp });
      this.caughtUp = true;
      if (this.failing !== undefined) this.log.info({ partition }, `partition ${partition}: checkpoints signed again (log size ${outcome.size ?? 0})`);
      this.failing = undefined;
      this.noteWitnesses(outcome.witnesses);
    } catch (error) {
      const reason = (error as Error).message;
      if (reason !== this.failing) this.log.warn({ partition }, `partition ${partition}: checkpoint not signed, trying again every ${this.intervalMs} ms: ${reason}`);
      this.failing = reason;
    }
  }

  private noteWitnesses(witnesses: readonly WitnessOutcome[]): void {
    for (const witness of witnesses) {
      if (!witness.error) {
        this.witnessProblems.delete(witness.dir);
        continue;
      }
      const message =
        witness.status === 'rejected'
          ? `partition ${this.partition}: WITNESS ${witness.dir} REJECTED the checkpoint: ${witness.error.message}`
          : `partition ${this.partition}: witness ${witness.dir} could not be written: ${witness.error.message}`;
      if (this.witnessProblems.get(witness.dir) === message) continue;
      this.witnessProblems.set(witness.dir, message);
      this.log.warn({ partition: this.partition, witness: witness.dir }, message);
    }
  }
}
