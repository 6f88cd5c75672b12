import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { LEASE_BUCKET } from '../bus/subjects.js';

interface LeaseValue {
  owner: string;
  acquiredAt: string;
}

/**
 * Exclusive ownership of partitions, as keys in a NATS KV bucket. Taking a lease is a create
 * (fails while another owner's key exists), keeping it an update against the revision last
 * written (fails if anyone else wrote since), giving it up a delete against that revision. The
 * bucket's TTL removes a key its owner stopped renewing, so a killed worker's partitions are
 * free for another one TTL after its last renewal.
 */
export class PartitionLeases {
  private readonly revisions = new Map<number, number>();

  private constructor(
    private readonly kv: KV,
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  static async open(nc: NatsConnection, owner: string, ttlMs: number): Promise<PartitionLeases> {
    const kv = await new Kvm(nc).create(LEASE_BUCKET, { ttl: ttlMs, history: 1 });
    const status = await kv.status();
    // The bucket's TTL was fixed by whoever created it; renewing on our own shorter clock keeps leases alive either way.
    return new PartitionLeases(kv, owner, Math.min(ttlMs, status.ttl || ttlMs));
  }

  owned(): number[] {
    return [...this.revisions.keys()].sort((a, b) => a - b);
  }

  /** True when this owner now holds the partition (freshly taken or already held). */
  async acquire(partition: number): Promise<boolean> {
    if (this.revisions.has(partition)) return this.renew(partition);
    try {
      this.revisions.set(partition, await this.kv.create(keyOf(partition), this.value()));
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }

  /** False when the lease was lost (expired and taken, or written by someone else): stop consuming at once. */
  async renew(partition: number): Promise<boolean> {
    const revision = this.revisions.get(partition);
    if (revision === undefined) return false;
    try {
      this.revisions.set(partition, await this.kv.update(keyOf(partition), this.value(), revision));
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
      this.revisions.delete(partition);
      return false;
    }
  }

  /** Gives the partition up for another worker to take at once; a lease already lost is left alone. */
  async release(partition: number): Promise<void> {
    const revision = this.revisions.get(partition);
    if (revision === undefined) return;
    this.revisions.delete(partition);
    try {
      await this.kv.delete(keyOf(partition), { previousSeq: revision });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }

  /** Says this worker is alive; the key expires with the bucket's TTL once it stops saying so. */
  async heartbeat(): Promise<void> {
    await this.kv.put(this.presenceKey(), this.value());
  }

  /** Stops counting this worker among the live ones, so the others take its share at once. */
  async leave(): Promise<void> {
    await this.kv.purge(this.presenceKey());
  }

  /** Workers that sent a heartbeat within the TTL (this one included once it has). */
  async liveWorkers(): Promise<number> {
    let count = 0;
    for await (const _key of await this.kv.keys(`${WORKER_PREFIX}*`)) count += 1;
    return count;
  }

  /** Who holds a partition now, if anyone. */
  async holder(partition: number): Promise<string | undefined> {
    const entry = await this.kv.get(keyOf(partition));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return (entry.json() as LeaseValue).owner;
  }

  private presenceKey(): string {
    return `${WORKER_PREFIX}${this.owner.replace(/[^-/_=.a-zA-Z0-9]/g, '_')}`;
  }

  private value(): string {
    return JSON.stringify({ owner: this.owner, acquiredAt: new Date().toISOString() } satisfies LeaseValue);
  }
}

/** Lease keys are `p<N>`; presence keys `worker.<owner>`. */
const WORKER_PREFIX = 'worker.';

function keyOf(partition: number): string {
  return `p${partition}`;
}

/** JetStream refuses a write whose expected revision is not the key's last one. */
function isConflict(error: unknown): boolean {
  return /wrong last sequence|key exists|10071/i.test((error as Error).message);
}
