import { AckPolicy, DeliverPolicy, type JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { PARTITION_PREFIX, STREAM_NAME, consumerName, partitionSubject } from './subjects.js';

/** How long JetStream remembers a `Nats-Msg-Id`: a retried webhook batch within it is stored once (the store dedups later ones by event id). */
const DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * Creates the records stream unless it exists. Work-queue retention: the store is the archive,
 * the stream only holds what no worker has acknowledged yet, so it cannot fill the disk while
 * workers keep up, and keeps everything while they do not.
 */
export async function ensureStream(jsm: JetStreamManager): Promise<void> {
  const subjects = [`${PARTITION_PREFIX}.*.*`];
  try {
    const info = await jsm.streams.info(STREAM_NAME);
    if (info.config.subjects?.join() !== subjects.join()) await jsm.streams.update(STREAM_NAME, { ...info.config, subjects });
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await jsm.streams.add({
      name: STREAM_NAME,
      subjects,
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  } catch (error) {
    // Another receiver or worker created it at the same moment.
    if (!/already in use/i.test((error as Error).message)) throw error;
  }
}

export interface ConsumerSettings {
  /** Time a delivered, unacknowledged message waits before it is delivered again (to whichever worker pulls). */
  ackWaitMs: number;
  maxAckPending: number;
}

/** The durable pull consumer of one partition, created or brought to the given settings. */
export async function ensureConsumer(jsm: JetStreamManager, partition: number, settings: ConsumerSettings): Promise<void> {
  const name = consumerName(partition);
  const wanted = { ack_wait: nanos(settings.ackWaitMs), max_ack_pending: settings.maxAckPending };
  try {
    const info = await jsm.consumers.info(STREAM_NAME, name);
    if (info.config.ack_wait !== wanted.ack_wait || info.config.max_ack_pending !== wanted.max_ack_pending) {
      await jsm.consumers.update(STREAM_NAME, name, wanted);
    }
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await jsm.consumers.add(STREAM_NAME, {
      durable_name: name,
      filter_subject: partitionSubject(partition),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      // Never give up on a record: a store that is down must not make the bus drop what it holds.
      max_deliver: -1,
      ...wanted,
    });
  } catch (error) {
    if (!/already in use|already exists/i.test((error as Error).message)) throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return /not found/i.test((error as Error).message);
}
