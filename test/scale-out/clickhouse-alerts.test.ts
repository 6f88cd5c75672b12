import { afterAll, beforeAll } from 'vitest';
import { alertStoreContract } from '../../src/detect/alert-store-contract.js';
import { ClickHouseAlertStore } from '../../src/store/clickhouse/alert-store.js';
import { type RunningClickHouse, startClickHouse } from '../helpers/clickhouse.js';

let server: RunningClickHouse;
let databases = 0;

beforeAll(async () => {
  server = await startClickHouse();
});

afterAll(async () => {
  await server?.stop();
});

alertStoreContract('ClickHouse', async () => {
  databases += 1;
  const alerts = await ClickHouseAlertStore.open(server.urlFor(`alerts_${databases}`));
  return { alerts, close: () => alerts.close() };
});
