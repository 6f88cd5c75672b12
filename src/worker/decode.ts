import { fromMessage } from '../bus/bus-record.js';
import { deriveStoredEvent } from '../ledger/record-decoders.js';
import type { ReadBatch } from '../sources/read.js';

/** One message as a worker received it. */
export interface Delivery {
  header(name: string): string | undefined;
  data: Uint8Array;
  /** Stream sequence, for the quarantine position. */
  seq: number;
}

/**
 * Turns a partition's messages back into events, exactly as a receiver's record is re-derived by
 * `vigil verify` (and by the agent records receiver); a message that cannot be is quarantined
 * with its reason, and its neighbours go on.
 */
export function decodeDeliveries(deliveries: readonly Delivery[], partition: number): ReadBatch {
  const batch: ReadBatch = { events: [], quarantined: [] };
  const receivedAt = Date.now();
  for (const delivery of deliveries) {
    const position = `bus partition ${partition} seq ${delivery.seq}`;
    try {
      const received = fromMessage(delivery.header, delivery.data);
      if (received.kind === 'quarantine') batch.quarantined.push(received.item);
      else if (received.kind === 'foreign') batch.quarantined.push({ source: 'bus', position, reason: received.reason, sample: received.sample, receivedAt });
      else batch.events.push(deriveStoredEvent(received.source, received.cluster, received.record));
    } catch (error) {
      const sample = Buffer.from(delivery.data).toString('utf8').slice(0, 4096);
      batch.quarantined.push({ source: delivery.header('Vigil-Source') ?? 'bus', position, reason: (error as Error).message, sample, receivedAt });
    }
  }
  return batch;
}
