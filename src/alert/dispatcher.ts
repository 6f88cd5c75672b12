import type { OutboxEntry, SqliteOutbox } from '../store/sqlite/outbox.js';
import { backoffDelay } from './backoff.js';
import type { DeliveryPolicy, ReceiverConfig } from './config.js';
import type { Notification } from './notification.js';
import { RateLimiter } from './rate-limiter.js';
import { findSinkType } from './sinks/index.js';
import { DeliveryError, type Sink } from './sinks/sink.js';

export interface DispatcherLog {
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

export interface DispatcherOptions {
  /** How often the outbox is looked at when nothing wakes the dispatcher. */
  pollMs?: number;
  random?: () => number;
  log?: DispatcherLog;
}

interface Lane {
  receiver: ReceiverConfig;
  sink: Sink;
  limiter: RateLimiter;
  inFlight: number;
}

/**
 * Drains the outbox: per receiver at most `concurrency` deliveries in flight and `rate_per_second`
 * started, items of one order key strictly one after another (the outbox hands out only the
 * oldest unsettled one). A failure is retried with exponential backoff and jitter, honouring a
 * receiver's Retry-After; a permanent failure or the last attempt makes it a dead letter.
 * Items for receivers that are no longer configured become dead letters too (requeue them after
 * fixing the config). Lease = timeout + margin, so a send that hangs past it is retried.
 */
export class Dispatcher {
  private readonly lanes = new Map<string, Lane>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private stopped = false;
  private readonly sending = new Set<Promise<void>>();
  private readonly pollMs: number;
  private readonly random: () => number;

  constructor(
    private readonly outbox: SqliteOutbox,
    receivers: ReadonlyMap<string, ReceiverConfig>,
    private readonly options: DispatcherOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000;
    this.random = options.random ?? Math.random;
    for (const receiver of receivers.values()) {
      const sinkType = findSinkType(receiver.type);
      if (!sinkType) throw new Error(`receiver "${receiver.name}": unknown type "${receiver.type}"`);
      this.lanes.set(receiver.name, { receiver, sink: sinkType.create(receiver.name, receiver.settings), limiter: new RateLimiter(receiver.delivery.ratePerSecond), inFlight: 0 });
    }
  }

  /** Re-queues what a previous process left in flight, then polls until `stop`. */
  start(): void {
    this.outbox.releaseExpiredLeases(Number.MAX_SAFE_INTEGER);
    this.schedule(0);
  }

  /** Something was queued: look now rather than at the next poll. */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops starting deliveries and waits (bounded) for those in flight; closes the sinks. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.race([Promise.allSettled([...this.sending]), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    await Promise.allSettled([...this.lanes.values()].map((lane) => lane.sink.close?.()));
  }

  /** One pass: starts every delivery the limits allow now. Returns how many started. */
  runOnce(now: number = Date.now()): number {
    let started = 0;
    this.deadLetterUnconfigured(now);
    for (const lane of this.lanes.values()) {
      const capacity = Math.min(lane.receiver.delivery.concurrency - lane.inFlight, lane.limiter.available(now));
      if (capacity <= 0) continue;
      const leaseMs = lane.receiver.delivery.timeoutMs + 30_000;
      for (const entry of this.outbox.claim(lane.receiver.name, now, capacity, leaseMs)) {
        lane.limiter.take(now);
        this.deliver(lane, entry);
        started++;
      }
    }
    return started;
  }

  /** Resolves once nothing is in flight (tests). */
  async idle(): Promise<void> {
    while (this.sending.size > 0) await Promise.allSettled([...this.sending]);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pass(), delayMs);
    this.timer.unref();
  }

  private pass(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      this.runOnce();
    } catch (error) {
      this.options.log?.error({ err: error }, 'notification dispatch failed; retrying at the next poll');
    } finally {
      this.running = false;
    }
    this.schedule(this.nextPassDelay());
  }

  /** Until the next item is due or a rate-limited receiver has a token again, at most one poll. */
  private nextPassDelay(): number {
    const now = Date.now();
    let delay = this.pollMs;
    const due = this.outbox.nextDue();
    if (due !== undefined) delay = Math.min(delay, Math.max(0, due - now));
    for (const lane of this.lanes.values()) {
      const wait = lane.limiter.waitMs(now);
      if (wait > 0) delay = Math.max(Math.min(delay, wait), 10);
    }
    return Math.max(delay, 10);
  }

  private deliver(lane: Lane, entry: OutboxEntry): void {
    lane.inFlight++;
    const policy = lane.receiver.delivery;
    const sending = this.attempt(lane, entry, policy).finally(() => {
      lane.inFlight--;
      this.sending.delete(sending);
      this.wake();
    });
    this.sending.add(sending);
  }

  private async attempt(lane: Lane, entry: OutboxEntry, policy: DeliveryPolicy): Promise<void> {
    try {
      const notification = JSON.parse(entry.payload) as Notification;
      await lane.sink.send(notification, { attempt: entry.attempts, idempotencyKey: entry.idempotencyKey, timeoutMs: policy.timeoutMs });
      this.outbox.markDelivered(entry.id, Date.now());
    } catch (error) {
      this.failed(entry, policy, error);
    }
  }

  private failed(entry: OutboxEntry, policy: DeliveryPolicy, error: unknown): void {
    const now = Date.now();
    const delivery = error instanceof DeliveryError ? error : new DeliveryError(`receiver "${entry.receiver}": ${(error as Error).message ?? String(error)}`);
    const last = delivery.permanent || entry.attempts >= policy.maxAttempts;
    const retryAt = last ? null : now + backoffDelay(entry.attempts, policy.backoffMs, policy.maxBackoffMs, this.random, delivery.retryAfterMs ?? 0);
    const message = last && !delivery.permanent ? `${delivery.message} (gave up after ${entry.attempts} attempts)` : delivery.message;
    this.outbox.markFailed(entry.id, now, message, retryAt);
    const details = { receiver: entry.receiver, delivery: entry.id, attempt: entry.attempts, error: delivery.message };
    if (retryAt === null) this.options.log?.error(details, 'notification is a dead letter; see vigil alerts deliveries --status dead');
    else this.options.log?.warn({ ...details, retryInMs: retryAt - now }, 'notification delivery failed; will retry');
  }

  private deadLetterUnconfigured(now: number): void {
    for (const receiver of this.outbox.pendingReceivers()) {
      if (this.lanes.has(receiver)) continue;
      for (const entry of this.outbox.claim(receiver, Number.MAX_SAFE_INTEGER, 1000, 0)) {
        this.outbox.markFailed(entry.id, now, `receiver "${receiver}" is not configured; fix the config and requeue`, null);
      }
    }
  }
}
