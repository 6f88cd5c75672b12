import { type BusLog, connectBus } from './connection.js';
import { PublishingStore } from './publishing-store.js';
import { BusPublisher } from './publisher.js';
import { ensureStream } from './stream.js';

/** What `vigil serve --bus` gives its receivers: a store that publishes, and how to let go of the connection. */
export interface ReceiverBus {
  store: PublishingStore;
  close(): Promise<void>;
}

export async function openReceiverBus(url: string, log: BusLog): Promise<ReceiverBus> {
  const bus = await connectBus(url, 'vigil-serve receivers', log);
  try {
    await ensureStream(bus.jsm);
  } catch (error) {
    await bus.close();
    throw new Error(`cannot set up the JetStream stream on ${url}: ${(error as Error).message}`);
  }
  return { store: new PublishingStore(new BusPublisher(bus)), close: () => bus.close() };
}
