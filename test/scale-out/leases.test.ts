import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BusConnection, connectBus } from '../../src/bus/connection.js';
import { PartitionLeases } from '../../src/worker/leases.js';
import { type RunningNats, startNats } from '../helpers/nats.js';
import { eventually } from './helpers.js';

const quiet = { info: () => {}, warn: () => {} };

describe('partition leases in NATS KV', () => {
  let nats: RunningNats;
  let bus: BusConnection;

  beforeAll(async () => {
    nats = await startNats();
    bus = await connectBus(nats.url, 'lease test', quiet);
  });

  afterAll(async () => {
    await bus?.close();
    await nats?.stop();
  });

  it('gives a partition to one owner at a time, hands it over on release, and frees a dead owner’s after the TTL', async () => {
    const ttlMs = 1500;
    const alice = await PartitionLeases.open(bus.nc, 'alice', ttlMs);
    const bob = await PartitionLeases.open(bus.nc, 'bob', ttlMs);

    expect(await alice.acquire(0)).toBe(true);
    expect(await bob.acquire(0)).toBe(false);
    expect(await alice.renew(0)).toBe(true);
    expect(await alice.holder(0)).toBe('alice');

    await alice.release(0);
    expect(await bob.acquire(0)).toBe(true);
    expect(await alice.acquire(0)).toBe(false);

    // Bob dies: he stops renewing and never releases. Alice gets the partition once the key expires.
    await eventually(async () => ((await alice.acquire(0)) ? true : undefined), "bob's lease to expire");
    expect(await alice.holder(0)).toBe('alice');
    // Bob, back from a pause, learns he lost it instead of overwriting Alice's lease.
    expect(await bob.renew(0)).toBe(false);
    expect(await alice.renew(0)).toBe(true);
  });
});
