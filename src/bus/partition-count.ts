import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { PARTITION_COUNT_SUBJECT, partitionMapping } from './subjects.js';

const ANSWER_TIMEOUT_MS = 3000;

/**
 * The number of partitions the NATS server spreads records over, read from its own mapping:
 * a message published to `vigil.partitions` arrives on `vigil.partitions.<n>` (the line
 * partitionMapping() writes beside the `partition(n, 1)` one). Core NATS only: nothing is stored.
 */
export async function busPartitionCount(nc: NatsConnection, server: string): Promise<number> {
  const subscriptions: Subscription[] = [];
  try {
    const answer = new Promise<string>((resolve, reject) => {
      const onMessage = (error: Error | null, message: { subject: string }) => (error ? reject(error) : resolve(message.subject));
      subscriptions.push(nc.subscribe(`${PARTITION_COUNT_SUBJECT}.*`, { callback: onMessage }));
      // Without the mapping line the message keeps its subject: an old config, told apart from a silent server.
      subscriptions.push(nc.subscribe(PARTITION_COUNT_SUBJECT, { callback: onMessage }));
      setTimeout(() => reject(new Error(`the NATS server at ${server} did not deliver a message to ${PARTITION_COUNT_SUBJECT} within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS).unref();
    });
    await nc.flush();
    nc.publish(PARTITION_COUNT_SUBJECT);
    return countFrom(await answer, server);
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
  }
}

function countFrom(subject: string, server: string): number {
  const count = Number(subject.slice(PARTITION_COUNT_SUBJECT.length + 1));
  if (subject === PARTITION_COUNT_SUBJECT || !Number.isSafeInteger(count) || count < 1) {
    throw new Error(
      `the NATS server at ${server} does not state its partition count (a message to ${PARTITION_COUNT_SUBJECT} arrived on "${subject}"): ` +
        `its config needs the whole mapping block vigil worker --help prints, e.g. for 4 partitions:\n${partitionMapping(4)}`,
    );
  }
  return count;
}

/** Refuses partitions the bus never fills: their records would go to no one, or others' records to them. */
export function requirePartitionsOnBus(partitions: readonly number[], count: number, server: string): void {
  const beyond = partitions.filter((partition) => partition >= count);
  if (beyond.length === 0) return;
  throw new PartitionCountError(
    `--partitions names ${beyond.join(', ')}, but the NATS server at ${server} spreads records over ${count} partitions (0-${count - 1}): ` +
      `give --partitions within 0-${count - 1}, or change the partition count in the nats-server mapping (vigil worker --help prints it) and restart nats-server`,
  );
}

export class PartitionCountError extends Error {
  override name = 'PartitionCountError';
}
