import { connectBus } from '../bus/connection.js';
import { ClickHouseAlertStore } from '../store/clickhouse/alert-store.js';
import { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import { redact } from '../store/clickhouse/url.js';
import type { SharedStores } from './api.js';

/** The shared stores of a scale-out API server, its readiness checks, and how to let go of them. */
export interface SharedStoresHandle extends SharedStores {
  /** /readyz checks: the NATS bus the receivers publish to and the ClickHouse store the API reads. */
  readiness: Record<string, () => Promise<void>>;
  close(): Promise<void>;
}

const NO_LOG = { info: () => undefined, warn: () => undefined };

/**
 * Opens the workers' ClickHouse store for reading. The store object is opened on its default
 * log, which is only read (its frontier) and never appended to: queries read every log.
 * Readiness of the bus is watched on a connection of its own, which the receivers' connection
 * does not expose; it logs nothing, the receivers' one reports outages.
 */
export async function openSharedStores(storeUrl: string, busUrl: string): Promise<SharedStoresHandle> {
  const location = redact(storeUrl);
  const events = await ClickHouseStore.open(storeUrl).catch((error: Error) => {
    throw new Error(`cannot open the shared store ${location}: ${error.message}`);
  });
  try {
    const alerts = await ClickHouseAlertStore.on(events.connection);
    const bus = await connectBus(busUrl, 'vigil-serve readiness', NO_LOG);
    const readiness = {
      nats: async () => {
        if (!bus.connected()) throw new Error('not connected to the NATS bus; receivers answer 503 until it is back');
        await bus.jsm.getAccountInfo();
      },
      clickhouse: async () => void (await events.connection.rows('SELECT 1 AS ok', 'checking readiness')),
    };
    return {
      events,
      alerts,
      location,
      readiness,
      close: async () => {
        await bus.close();
        await events.close();
      },
    };
  } catch (error) {
    await events.close();
    throw error;
  }
}
