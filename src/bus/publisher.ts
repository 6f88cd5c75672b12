import { headers } from '@nats-io/transport-node';
import { type BusRecord, toMessage } from './bus-record.js';
import { BusUnavailableError } from './bus-unavailable.js';
import type { BusConnection } from './connection.js';
import { INPUT_PREFIX } from './subjects.js';

export interface PublishResult {
  published: number;
  /** Per record, in order: JetStream already held one under the same `Nats-Msg-Id` (a retried batch). */
  duplicate: boolean[];
}

/** How long one record may wait for JetStream's acknowledgement before the batch is refused. */
const ACK_TIMEOUT_MS = 5000;

/**
 * Publishes records to JetStream and resolves only when JetStream acknowledged every one of
 * them, so a caller that answers its client after this never loses an acknowledged record.
 */
export class BusPublisher {
  constructor(private readonly bus: BusConnection) {}

  async publish(records: readonly BusRecord[]): Promise<PublishResult> {
    if (records.length === 0) return { published: 0, duplicate: [] };
    if (!this.bus.connected()) throw new BusUnavailableError('the NATS bus is not connected (reconnecting); retry later');
    const duplicate = await Promise.all(records.map((record) => this.publishOne(record)));
    return { published: duplicate.filter((isDuplicate) => !isDuplicate).length, duplicate };
  }

  /** Resolves to true when the record was a duplicate. */
  private async publishOne(record: BusRecord): Promise<boolean> {
    const message = toMessage(record);
    const hdrs = headers();
    for (const [name, value] of Object.entries(message.headers)) hdrs.set(name, value);
    try {
      const ack = await this.bus.js.publish(message.subject, message.payload, { msgID: message.msgId, headers: hdrs, timeout: ACK_TIMEOUT_MS });
      return ack.duplicate;
    } catch (error) {
      throw new BusUnavailableError(`JetStream did not acknowledge a record on ${INPUT_PREFIX}.*: ${describe(error)}`);
    }
  }
}

/** "no responders" on the input subject means nothing captures it: the server lacks the partition mapping or the stream. */
function describe(error: unknown): string {
  const message = (error as Error).message;
  if (/no responders|not enabled|503/i.test(message)) {
    return `${message} (no stream takes the subject: is the partition mapping in the nats-server config, see vigil worker --help, and has a worker or receiver created the stream?)`;
  }
  return message;
}
