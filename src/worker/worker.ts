import type { AlertStore } from '../detect/alert-store.js';
import type { CompiledRule } from '../detect/rule.js';
import type { BusConnection } from '../bus/connection.js';
import { busPartitionCount, requirePartitionsOnBus } from '../bus/partition-count.js';
import { ensureConsumer, ensureStream } from '../bus/stream.js';
import { PartitionLeases } from './leases.js';
import { type ConsumerLog, PartitionConsumer } from './partition-consumer.js';
import { PartitionDetection } from './partition-detection.js';
import { type PartitionLedgerFactory, PartitionSigner } from './partition-ledger.js';
import type { PartitionStore, PartitionStoreFactory } from './partition-store.js';

export interface WorkerOptions<S extends PartitionStore = PartitionStore> {
  bus: BusConnection;
  /** The partitions this worker may own; workers with overlapping sets take over each other's. */
  partitions: readonly number[];
  /** Names this worker in its leases (unique per process). */
  owner: string;
  stores: PartitionStoreFactory<S>;
  /** Signs each owned partition's log; undefined leaves the logs unsigned (tests of the bus alone). */
  ledgers?: PartitionLedgerFactory<S>;
  /** Where alerts go; undefined with no rules. */
  alerts?: AlertStore;
  rules: readonly CompiledRule[];
  leaseTtlMs: number;
  ackWaitMs: number;
  maxAckPending: number;
  batchSize: number;
  log: ConsumerLog;
}

/**
 * Owns as many of its partitions as it can lease and consumes each. Every third of the lease
 * TTL it renews what it holds (stopping at once any partition whose lease it lost or could not
 * renew in time) and tries to take the free ones, which is how a dead worker's partitions move.
 */
export class Worker<S extends PartitionStore = PartitionStore> {
  private readonly consumers = new Map<number, PartitionConsumer>();
  private readonly signers = new Map<number, PartitionSigner>();
  private readonly renewedAt = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private balancing: Promise<void> = Promise.resolve();
  private stopped = false;
  private freeLastRound = new Set<number>();

  private constructor(
    private readonly options: WorkerOptions<S>,
    private readonly leases: PartitionLeases,
  ) {}

  /** Refuses partitions the bus's mapping never fills (PartitionCountError) before creating any consumer or lease. */
  static async start<S extends PartitionStore>(options: WorkerOptions<S>): Promise<Worker<S>> {
    const server = options.bus.nc.getServer();
    requirePartitionsOnBus(options.partitions, await busPartitionCount(options.bus.nc, server), server);
    await ensureStream(options.bus.jsm);
    for (const partition of options.partitions) {
      await ensureConsumer(options.bus.jsm, partition, { ackWaitMs: options.ackWaitMs, maxAckPending: options.maxAckPending });
    }
    const leases = await PartitionLeases.open(options.bus.nc, options.owner, options.leaseTtlMs);
    const worker = new Worker(options, leases);
    await worker.balance();
    worker.timer = setInterval(() => {
      worker.balancing = worker.balancing
        .then(() => worker.balance())
        .catch((error: Error) => options.log.warn({ err: error }, 'balancing failed; retrying next round'));
    }, Math.max(100, Math.floor(leases.ttlMs / 3)));
    return worker;
  }

  /** Partitions being consumed right now. */
  owned(): number[] {
    return [...this.consumers.keys()].sort((a, b) => a - b);
  }

  /** Stores and acknowledges what is in hand, saves the windows, signs each log and frees every lease for the other workers. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.balancing;
    for (const partition of [...this.consumers.keys()]) await this.drop(partition, 'shutting down', { stillOwned: true });
    // Without NATS the leases cannot be given back; they expire by themselves after the TTL.
    if (!this.options.bus.connected()) return;
    for (const partition of this.leases.owned()) {
      await this.leases.release(partition).catch((error: Error) => this.options.log.warn({ partition, err: error }, 'lease not released; it expires by itself'));
    }
    await this.leases.leave().catch((error: Error) => this.options.log.warn({ err: error }, 'presence not withdrawn; it expires by itself'));
  }

  /**
   * Renews what is held, gives back what exceeds this worker's fair share (its partitions over
   * the live workers, rounded up) and takes free partitions up to that share. A partition free
   * on two rounds running is taken even beyond the share, so none is left unconsumed.
   */
  private async balance(): Promise<void> {
    if (this.stopped) return;
    const share = await this.fairShare();
    for (const partition of this.owned()) {
      if (this.stopped) return;
      await this.guarded(partition, () => this.renew(partition));
    }
    for (const partition of this.owned().slice(share).reverse()) {
      if (this.stopped) return;
      await this.guarded(partition, async () => {
        await this.drop(partition, 'sharing with the other live workers', { stillOwned: true });
        await this.leases.release(partition);
      });
    }
    const freeNow = new Set<number>();
    for (const partition of this.options.partitions) {
      if (this.stopped || this.consumers.has(partition)) continue;
      await this.guarded(partition, async () => {
        if (this.consumers.size < share || (this.freeLastRound.has(partition) && (await this.leases.holder(partition)) === undefined)) await this.tryTake(partition);
        else if ((await this.leases.holder(partition)) === undefined) freeNow.add(partition);
      });
    }
    this.freeLastRound = freeNow;
  }

  private async fairShare(): Promise<number> {
    const all = this.options.partitions.length;
    try {
      await this.leases.heartbeat();
      return Math.ceil(all / Math.max(1, await this.leases.liveWorkers()));
    } catch (error) {
      this.options.log.warn({ err: error }, 'cannot count the live workers; keeping what is held');
      return all;
    }
  }

  private async guarded(partition: number, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.options.log.warn({ partition, err: error }, `partition ${partition}: lease check failed`);
      await this.dropIfStale(partition);
    }
  }

  private async renew(partition: number): Promise<void> {
    if (await this.leases.renew(partition)) this.renewedAt.set(partition, Date.now());
    else await this.drop(partition, 'lease lost to another worker', { stillOwned: false });
  }

  private async tryTake(partition: number): Promise<void> {
    if (!(await this.leases.acquire(partition))) return;
    this.renewedAt.set(partition, Date.now());
    try {
      await this.take(partition);
    } catch (error) {
      await this.leases.release(partition);
      throw error;
    }
  }

  private async take(partition: number): Promise<void> {
    const { options } = this;
    const store = await options.stores(partition);
    let signer: PartitionSigner | undefined;
    try {
      const detection = options.alerts && options.rules.length > 0 ? await PartitionDetection.open(partition, options.rules, options.alerts, store) : undefined;
      const ledger = options.ledgers ? await options.ledgers(partition, store) : undefined;
      signer = ledger && new PartitionSigner(partition, ledger, options.log);
      this.consumers.set(partition, new PartitionConsumer(partition, options.bus, store, detection, { batchSize: options.batchSize }, options.log));
      const signs = ledger ? ` (checkpoints verify with ${ledger.verifierKey})` : '';
      options.log.info({ partition }, `partition ${partition}: owned by ${options.owner}${signs}`);
    } catch (error) {
      await store.close();
      throw error;
    }
    if (signer) {
      this.signers.set(partition, signer);
      signer.start();
    }
  }

  /** A lease not renewed for most of its TTL may already be another worker's: stop before that is true. */
  private async dropIfStale(partition: number): Promise<void> {
    const renewed = this.renewedAt.get(partition);
    if (renewed !== undefined && Date.now() - renewed > this.leases.ttlMs * 0.8) await this.drop(partition, 'lease could not be renewed in time', { stillOwned: false });
  }

  /**
   * Stops consuming; while the lease is still this worker's, the log is signed once more, so
   * nothing it stored is left unsigned. A lost lease means another worker may already write
   * the log: signing then would make two writers of one log.
   */
  private async drop(partition: number, why: string, lease: { stillOwned: boolean }): Promise<void> {
    const consumer = this.consumers.get(partition);
    if (!consumer) return;
    const signer = this.signers.get(partition);
    this.consumers.delete(partition);
    this.signers.delete(partition);
    this.renewedAt.delete(partition);
    await consumer.stop();
    await signer?.stop(lease.stillOwned);
    await consumer.store.close();
    this.options.log.info({ partition }, `partition ${partition}: released (${why})`);
  }
}
