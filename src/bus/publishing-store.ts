import type { VigilEvent } from '../model/event.js';
import type { AppendResult, QuarantineItem, QueryRows, Store, StoredQuarantineItem } from '../store/store.js';
import { quarantinedRecord, recordOf } from './bus-record.js';
import type { BusPublisher } from './publisher.js';

/**
 * The `Store` the receivers of `vigil serve --bus` write to: decoded exactly as in the embedded
 * mode, then each event's record (text, cluster, source kind) is published, partitioned by its
 * entity; workers re-derive the events and store them. `append` resolves only once JetStream
 * acknowledged the whole batch, so the receivers' 2xx keeps its promise.
 */
export class PublishingStore implements Store {
  constructor(private readonly publisher: BusPublisher) {}

  async append(batch: readonly VigilEvent[]): Promise<AppendResult> {
    const result = await this.publisher.publish(batch.map(recordOf));
    // Accepted = new to the bus; dedup beyond JetStream's window happens in the workers' store.
    const acceptedEvents = batch.filter((_event, index) => !result.duplicate[index]);
    return { accepted: acceptedEvents.length, acceptedEvents, duplicates: batch.length - acceptedEvents.length, treeSize: 0 };
  }

  async quarantine(items: readonly QuarantineItem[]): Promise<void> {
    await this.publisher.publish(items.map(quarantinedRecord));
  }

  async listQuarantine(): Promise<StoredQuarantineItem[]> {
    throw new Error('this server publishes to the NATS bus and keeps no quarantine; read it from the workers\' store');
  }

  async query(): Promise<QueryRows> {
    throw new Error('this server publishes to the NATS bus and stores no events; query the workers\' store');
  }

  async close(): Promise<void> {}
}
