import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectBus } from '../../src/bus/connection.js';
import { PartitionLeases } from '../../src/worker/leases.js';
import { eventually } from './helpers.js';
import { PARTITIONS, addWorker, byId, chunks, embeddedIngest, expectTwoWorkersMatchEmbedded, postEventList, postUntilAccepted, running, sqliteWorkerStore, startTopology, stopTopology, storedOnceEach, theDay } from './topology.js';

afterEach(stopTopology);

describe('scale-out: webhook → JetStream → workers → partition stores', () => {
  it('stores and detects what vigil ingest stores and detects for the same input', async () => {
    const topology = await startTopology((dir) => sqliteWorkerStore(join(dir, 'parts')));
    await expectTwoWorkersMatchEmbedded(topology);
    // Each worker gets its share: one that started late is given partitions the other lets go of.
    for (const worker of running.workers) await eventually(() => (/owned by/.test(worker.output()) ? true : undefined), `${worker.name} owning a partition`, 30_000);
  }, 240_000);

  it('loses nothing acknowledged when a worker is killed mid-stream and nats-server restarts', async () => {
    const topology = await startTopology((dir) => sqliteWorkerStore(join(dir, 'parts')));
    const doomed = await addWorker(topology, 'worker-doomed');
    await addWorker(topology, 'worker-survivor');
    const events = theDay().slice(0, 3000);
    const batches = chunks(events, 100);
    for (const [index, batch] of batches.entries()) {
      if (index === 10) await doomed.kill();
      if (index === 20) {
        await topology.nats.kill();
        // While nats-server is down the receiver refuses instead of acknowledging.
        const refused = await postEventList(topology, batch);
        expect(refused.status).toBe(503);
        expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
        await topology.nats.restart();
      }
      await postUntilAccepted(topology, batch);
    }

    const embedded = await embeddedIngest(topology.dir, events, 'none');
    const stored = await storedOnceEach(topology, embedded.rows.length);
    expect(byId(stored)).toEqual(byId(embedded.rows));
    // The killed worker held partitions; the survivor took over every one of them.
    expect(doomed.output()).toMatch(/partition \d: owned by worker-doomed/);
    const survivor = running.workers[1];
    const taken = new Set([...survivor.output().matchAll(/partition (\d): owned by worker-survivor/g)].map((match) => Number(match[1])));
    expect([...taken].sort()).toEqual(PARTITIONS);
  }, 240_000);

  it('frees its partitions on SIGTERM, so the next worker need not wait for the leases to expire', async () => {
    const topology = await startTopology((dir) => sqliteWorkerStore(join(dir, 'parts')));
    const leaving = await addWorker(topology, 'worker-leaving');
    expect(leaving.output()).toMatch(/owns 0,1,2,3/);
    expect(await leaving.stop(), leaving.output()).toBe(0);
    const bus = await connectBus(topology.nats.url, 'lease check', { info: () => {}, warn: () => {} });
    try {
      // A fresh owner can take every partition at once: create succeeds only on a free key.
      const next = await PartitionLeases.open(bus.nc, 'next', 60_000);
      for (const partition of PARTITIONS) expect(await next.acquire(partition)).toBe(true);
    } finally {
      await bus.close();
    }
  });
});
