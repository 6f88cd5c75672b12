import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityKey } from '../../src/bus/bus-record.js';
import { type BusConnection, connectBus } from '../../src/bus/connection.js';
import { BusPublisher } from '../../src/bus/publisher.js';
import { PublishingStore } from '../../src/bus/publishing-store.js';
import { ensureConsumer, ensureStream } from '../../src/bus/stream.js';
import { PartitionConsumer } from '../../src/worker/partition-consumer.js';
import { sqlitePartitionStores } from '../../src/worker/sqlite-partition-store.js';
import { type RunningNats, startNats } from '../helpers/nats.js';
import { auditEvents, eventually, storedByPartition } from './helpers.js';

const PARTITIONS = [0, 1, 2, 3];
const quiet = { info: () => {}, warn: () => {} };

describe('the bus: receivers publish, partition consumers store', () => {
  let nats: RunningNats;
  let bus: BusConnection;

  beforeAll(async () => {
    nats = await startNats({ partitions: PARTITIONS.length });
    bus = await connectBus(nats.url, 'bus test', quiet);
    await ensureStream(bus.jsm);
    await ensureStream(bus.jsm); // idempotent
    for (const partition of PARTITIONS) await ensureConsumer(bus.jsm, partition, { ackWaitMs: 5000, maxAckPending: 1000 });
  });

  afterAll(async () => {
    await bus?.close();
    await nats?.stop();
  });

  it('stores every published record once, each entity in one partition, malformed ones quarantined beside their neighbours', async () => {
    const events = auditEvents(600);
    const store = new PublishingStore(new BusPublisher(bus));
    const first = await store.append(events);
    expect(first.accepted).toBe(events.length);
    // A retried batch (same records) is recognised by Nats-Msg-Id.
    const retry = await store.append(events);
    expect(retry).toMatchObject({ accepted: 0, duplicates: events.length });
    // A record that no longer re-derives, between good ones: quarantined, the others stored.
    const publisher = new BusPublisher(bus);
    await publisher.publish([{ kind: 'record', cluster: 'prod', source: 'k8s.audit', record: '{"kind": "Event", broken', key: 'user:mallory' }]);
    await store.quarantine([{ source: 'k8s.audit', position: 'POST /api/v1/ingest/k8s-audit item 7', reason: 'malformed JSON: test', sample: '{nope', receivedAt: Date.now() }]);

    const root = mkdtempSync(join(tmpdir(), 'vigil-parts-'));
    const stores = sqlitePartitionStores(root);
    const consumers = await Promise.all(PARTITIONS.map(async (partition) => new PartitionConsumer(partition, bus, await stores(partition), undefined, { batchSize: 200 }, quiet)));
    try {
      const stored = await eventually(async () => {
        const byPartition = await storedByPartition(root, PARTITIONS);
        const total = [...byPartition.values()].reduce((sum, rows) => sum + rows.length, 0);
        return total >= events.length ? byPartition : undefined;
      }, 'all records stored');
      const all = [...stored.values()].flat();
      expect(all.map((row) => row.id).sort()).toEqual(events.map((event) => event.id).sort());
      const partitionOf = new Map<string, number>();
      for (const [partition, rows] of stored) for (const row of rows) partitionOf.set(row.id, partition);
      const partitionsOfKey = new Map<string, Set<number>>();
      for (const event of events) {
        const key = entityKey(event);
        partitionsOfKey.set(key, (partitionsOfKey.get(key) ?? new Set()).add(partitionOf.get(event.id) ?? -1));
      }
      for (const [key, partitions] of partitionsOfKey) expect([key, [...partitions]]).toEqual([key, [...partitions].slice(0, 1)]);
      expect(new Set([...partitionOf.values()]).size).toBeGreaterThan(1);
      const quarantined = await eventually(async () => {
        const items = (await Promise.all(consumers.map((consumer) => consumer.store.listQuarantine(100)))).flat();
        return items.length >= 2 ? items : undefined;
      }, 'both bad records quarantined');
      expect(quarantined.map((item) => item.reason).sort()).toEqual(['malformed JSON: test', expect.stringMatching(/^the record is not JSON/)]);
    } finally {
      for (const consumer of consumers) {
        await consumer.stop();
        await consumer.store.close();
      }
    }
  });

  it('refuses (never acknowledges) while NATS is down, and accepts again once it is back', async () => {
    const store = new PublishingStore(new BusPublisher(bus));
    const events = auditEvents(650).slice(600);
    await nats.kill();
    await eventually(() => (bus.connected() ? undefined : true), 'the client to notice the outage');
    await expect(store.append(events)).rejects.toThrow(/not connected|did not acknowledge/);
    await nats.restart();
    const result = await eventually(() => store.append(events), 'a publish after the restart');
    expect(result.accepted + result.duplicates).toBe(events.length);
  });
});
