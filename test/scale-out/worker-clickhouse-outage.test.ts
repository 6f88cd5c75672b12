import { afterEach, describe, expect, it } from 'vitest';
import { connectBus } from '../../src/bus/connection.js';
import { STREAM_NAME } from '../../src/bus/subjects.js';
import { verifierKeyText } from '../../src/ledger/checkpoint.js';
import { PartitionLeases } from '../../src/worker/leases.js';
import { loadWorkerSigningKey } from '../../src/worker/worker-signing-key.js';
import { vigil } from '../helpers/cli.js';
import { eventually } from './helpers.js';
import { PARTITIONS, addWorker, chunks, clickhouseWorkerStore, postEventList, postUntilAccepted, sharedClickHouse, startTopology, stopTopology, storedOnceEach, theDay } from './topology.js';

const clickhouse = sharedClickHouse();

afterEach(stopTopology);

interface LogLine {
  level: number;
  msg: string;
  partition?: number;
  retryInMs?: number;
}

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Per partition, the delays the worker announced before each retry of a batch it could not store. */
function retryDelays(output: string): Map<number, number[]> {
  const delays = new Map<number, number[]>();
  for (const line of logLines(output)) {
    if (line.partition === undefined || line.retryInMs === undefined || !line.msg.includes('nothing acknowledged')) continue;
    delays.set(line.partition, [...(delays.get(line.partition) ?? []), line.retryInMs]);
  }
  return delays;
}

const uniqueIds = (events: ReadonlyArray<{ auditID: string }>) => new Set(events.map((event) => event.auditID)).size;

describe('ClickHouse down for a while', () => {
  it('leaves records unacknowledged on the bus while the worker backs off, keeps the leases, then stores every record once', async () => {
    const url = clickhouse().urlFor('worker_outage');
    const topology = await startTopology(() => clickhouseWorkerStore(url));
    const worker = await addWorker(topology, 'worker-steady');
    const day = theDay().slice(0, 1500);
    const before = day.slice(0, 500);
    const during = day.slice(500);
    for (const batch of chunks(before, 250)) await postUntilAccepted(topology, batch);
    await storedOnceEach(topology, uniqueIds(before));

    clickhouse().kill();
    // The receivers publish to JetStream, which takes the records although the store is down.
    for (const batch of chunks(during, 250)) {
      const response = await postEventList(topology, batch);
      expect(response.status, await response.text()).toBe(200);
    }
    const delays = await eventually(() => {
      const seen = [...retryDelays(worker.output()).values()].find((list) => list.length >= 4);
      return seen;
    }, () => `four retries of one partition\n${worker.output().slice(-3000)}`);
    // Each retry waits twice as long as the one before.
    expect(delays.slice(0, 4)).toEqual([500, 1000, 2000, 4000]);

    const bus = await connectBus(topology.nats.url, 'outage check', { info: () => {}, warn: () => {} });
    try {
      // Work-queue retention drops a record once acknowledged: every record posted during the outage is still there (with
      // any stored just before the kill whose acknowledgement did not follow: they come back and are found stored).
      const stream = await bus.jsm.streams.info(STREAM_NAME);
      expect(stream.state.messages).toBeGreaterThanOrEqual(during.length);
      const observer = await PartitionLeases.open(bus.nc, 'observer', 60_000);
      for (const partition of PARTITIONS) expect(await observer.holder(partition)).toBe('worker-steady');
    } finally {
      await bus.close();
    }
    expect(worker.output()).not.toMatch(/released/);
    // One line per attempt, with the reason; no stack traces.
    expect(worker.output()).not.toMatch(/\\n\s+at |"stack"/);
    expect(worker.output()).toMatch(/records not stored: ClickHouse failed .*ECONNREFUSED/);

    await clickhouse().restart();
    await storedOnceEach(topology, uniqueIds(day));
    await eventually(() => (/storing again after \d+ failed attempts/.test(worker.output()) ? true : undefined), 'the worker to say it stores again');

    expect(await worker.stop(), worker.output()).toBe(0);
    const verifierKey = verifierKeyText(await loadWorkerSigningKey(topology.keyFile));
    const verify = await vigil(['verify', '--store', url, '--public-key', verifierKey, '--witness', topology.witness]);
    expect(verify.code, verify.stdout).toBe(0);
  }, 300_000);
});
