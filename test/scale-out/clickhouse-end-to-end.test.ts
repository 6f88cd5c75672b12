import { afterEach, describe, expect, it } from 'vitest';
import { PARTITIONS, addWorker, byId, chunks, clickhouseWorkerStore, embeddedIngest, expectTwoWorkersMatchEmbedded, postUntilAccepted, running, sharedClickHouse, startTopology, stopTopology, storedOnceEach, theDay } from './topology.js';

const clickhouse = sharedClickHouse();

afterEach(stopTopology);

describe('scale-out on ClickHouse: webhook → JetStream → 2 workers → ClickHouse', () => {
  it('stores and detects what vigil ingest stores and detects for the same input', async () => {
    const topology = await startTopology(() => clickhouseWorkerStore(clickhouse().urlFor('e2e_same')));
    await expectTwoWorkersMatchEmbedded(topology);
  }, 300_000);

  it('loses nothing and stores nothing twice when a worker is killed mid-stream', async () => {
    const topology = await startTopology(() => clickhouseWorkerStore(clickhouse().urlFor('e2e_kill')));
    const doomed = await addWorker(topology, 'worker-doomed');
    await addWorker(topology, 'worker-survivor');
    const events = theDay().slice(0, 3000);
    for (const [index, batch] of chunks(events, 100).entries()) {
      if (index === 10) await doomed.kill();
      await postUntilAccepted(topology, batch);
    }
    const embedded = await embeddedIngest(topology.dir, events, 'none');
    const stored = await storedOnceEach(topology, embedded.rows.length);
    expect(byId(stored)).toEqual(byId(embedded.rows));
    const taken = new Set([...running.workers[1].output().matchAll(/partition (\d): owned by worker-survivor/g)].map((match) => Number(match[1])));
    expect([...taken].sort()).toEqual(PARTITIONS);
  }, 300_000);
});
