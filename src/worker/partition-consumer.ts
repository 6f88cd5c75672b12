import type { JsMsg } from '@nats-io/jetstream';
import type { BusConnection } from '../bus/connection.js';
import { STREAM_NAME, consumerName } from '../bus/subjects.js';
import { type Delivery, decodeDeliveries } from './decode.js';
import type { PartitionDetection } from './partition-detection.js';
import type { PartitionStore } from './partition-store.js';

export interface ConsumerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ConsumeSettings {
  /** Messages pulled and stored as one batch (one store append, one acknowledgement round). */
  batchSize: number;
}

const FETCH_EXPIRES_MS = 1000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

/**
 * Pulls one partition's records, stores them, runs detection, saves the windows, and only then
 * acknowledges: a worker killed at any point leaves its unacknowledged records to be delivered
 * again (to whoever owns the partition next), and the store's dedup by event id drops what was
 * already stored.
 */
export class PartitionConsumer {
  private stopping = false;
  private wake: () => void = () => {};
  private readonly running: Promise<void>;

  constructor(
    readonly partition: number,
    private readonly bus: BusConnection,
    readonly store: PartitionStore,
    private readonly detection: PartitionDetection | undefined,
    private readonly settings: ConsumeSettings,
    private readonly log: ConsumerLog,
  ) {
    this.running = this.loop();
  }

  /** Finishes (stores and acknowledges) the batch in hand, then stops pulling. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  /**
   * Pulls and stores until stopped. A failure (the store or the bus down) is retried after a
   * delay that doubles up to MAX_BACKOFF_MS; each attempt is one warning line with the reason
   * (a stack would say nothing more about a server that is down), and the first success after
   * failures says so.
   */
  private async loop(): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    let failures = 0;
    while (!this.stopping) {
      try {
        const messages = await this.fetch();
        if (messages.length > 0) await this.handle(messages, backoff);
        if (failures > 0 && messages.length > 0) {
          this.log.info({ partition: this.partition, failures }, `partition ${this.partition}: storing again after ${failures} failed attempts`);
          failures = 0;
        }
        backoff = FIRST_BACKOFF_MS;
      } catch (error) {
        failures += 1;
        this.log.warn(
          { partition: this.partition, attempt: failures, retryInMs: backoff },
          `partition ${this.partition}: ${(error as Error).message}; nothing acknowledged, retrying in ${backoff} ms`,
        );
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Waits before a retry; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async fetch(): Promise<JsMsg[]> {
    const consumer = await this.bus.js.consumers.get(STREAM_NAME, consumerName(this.partition));
    const messages: JsMsg[] = [];
    for await (const message of await consumer.fetch({ max_messages: this.settings.batchSize, expires: FETCH_EXPIRES_MS })) messages.push(message);
    return messages;
  }

  /** `retryInMs`: when a failed batch is due again; this consumer pauses as long before pulling. */
  private async handle(messages: readonly JsMsg[], retryInMs: number): Promise<void> {
    const batch = decodeDeliveries(messages.map(toDelivery), this.partition);
    try {
      if (batch.quarantined.length > 0) await this.store.quarantine(batch.quarantined);
      if (batch.events.length > 0) {
        const result = await this.store.append(batch.events);
        if (this.detection) {
          await this.detection.process(result.acceptedEvents);
          await this.detection.save();
        }
      }
    } catch (error) {
      // Due again sooner than ack_wait, yet before this consumer pulls again, so it comes back ahead of later records.
      for (const message of messages) message.nak(Math.floor(retryInMs / 2));
      throw new Error(`${messages.length} records not stored: ${(error as Error).message}`, { cause: error });
    }
    await Promise.all(messages.map((message) => message.ackAck()));
  }
}

function toDelivery(message: JsMsg): Delivery {
  return {
    header: (name) => (message.headers?.has(name) ? message.headers.get(name) : undefined),
    data: message.data,
    seq: message.seq,
  };
}
