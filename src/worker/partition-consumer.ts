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

  private async loop(): Promise<void> {
    let backoff = 500;
    while (!this.stopping) {
      try {
        const messages = await this.fetch();
        if (messages.length > 0) await this.handle(messages);
        backoff = 500;
      } catch (error) {
        this.log.warn({ partition: this.partition, err: error }, `partition ${this.partition}: batch not stored, retrying in ${backoff} ms`);
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

  private async handle(messages: readonly JsMsg[]): Promise<void> {
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
      // Sooner than ack_wait: the batch comes back once the store answers again.
      for (const message of messages) message.nak(1000);
      throw error;
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
