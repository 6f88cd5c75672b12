import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningClickHouse, startClickHouse } from '../../../test/helpers/clickhouse.js';
import { normalizeAuditEvent } from '../../model/k8s-audit.js';
import type { VigilEvent } from '../../model/event.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { storeContract } from '../store-contract.js';
import { ClickHouseStore, type ClickHouseStoreOptions } from './clickhouse-store.js';
import { ClickHouseStoreError } from './errors.js';

let server: RunningClickHouse;
let databases = 0;

beforeAll(async () => {
  server = await startClickHouse();
});

afterAll(async () => {
  await server?.stop();
});

/** A fresh database of the shared server for each test. */
function freshUrl(): string {
  databases += 1;
  return server.urlFor(`vigil_test_${databases}`);
}

storeContract('ClickHouse', () => ClickHouseStore.open(freshUrl()));

const DAY = Date.parse('2026-03-01T00:00:00Z');
const hours = (n: number) => DAY + n * 3_600_000;

function event(auditID: string, at: number, user = 'alice'): VigilEvent {
  const raw = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID, stage: 'ResponseComplete', verb: 'get', user: { username: user }, requestReceivedTimestamp: new Date(at).toISOString() };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'c');
}

/** A batch over three days, grouped by day as a receiver's batches are. */
const threeDays = (): VigilEvent[] => [
  event('d1-a', hours(1)),
  event('d1-b', hours(2)),
  event('d2-a', hours(25)),
  event('d2-b', hours(26)),
  event('d3-a', hours(49)),
];

async function seqsOf(store: ClickHouseStore): Promise<number[]> {
  const seqs: number[] = [];
  for await (const leaf of store.leaves()) seqs.push(leaf.seq);
  return seqs;
}

describe('ClickHouse ledger', () => {
  it('rebuilds the frontier on reopen, equal to the SQLite store\'s root for the same appends', async () => {
    const url = freshUrl();
    const sqlite = SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-sqlite-')));
    const clickhouse = await ClickHouseStore.open(url);
    for (const batch of [threeDays(), [event('late', hours(3)), event('d1-a', hours(1))], [event('d4', hours(80))]]) {
      const expected = await sqlite.append(batch);
      const actual = await clickhouse.append(batch);
      expect(actual).toMatchObject({ accepted: expected.accepted, duplicates: expected.duplicates, treeSize: expected.treeSize });
    }
    await clickhouse.close();
    const reopened = await ClickHouseStore.open(url);
    expect(reopened.treeSize).toBe(7);
    expect(reopened.root().equals(sqlite.root)).toBe(true);
    expect(await seqsOf(reopened)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await reopened.close();
    await sqlite.close();
  });

  it('keeps one ledger per log in one database', async () => {
    const url = freshUrl();
    const p0 = await ClickHouseStore.open(url, { log: 'p0' });
    const p1 = await ClickHouseStore.open(url, { log: 'p1' });
    await p0.append([event('a', hours(1)), event('b', hours(2))]);
    await p1.append([event('c', hours(1))]);
    expect([p0.treeSize, p1.treeSize]).toEqual([2, 1]);
    // The same event in another log is that log's business: dedup is per log.
    expect((await p1.append([event('a', hours(1))])).accepted).toBe(1);
    expect((await p0.query('* | stats count()', {})).rows).toEqual([{ 'count()': 4 }]);
    await p0.close();
    await p1.close();
  });

  it('ends with every event once and gap-free seqs when a batch is redelivered after a crash mid-append', async () => {
    const url = freshUrl();
    const crashAfterFirstDay: ClickHouseStoreOptions = {
      onPartitionWritten: () => {
        throw new Error('simulated crash after the first day partition');
      },
    };
    const crashing = await ClickHouseStore.open(url, crashAfterFirstDay);
    await expect(crashing.append(threeDays())).rejects.toThrow('simulated crash');
    await crashing.close();

    const restarted = await ClickHouseStore.open(url);
    expect(restarted.treeSize).toBe(2);
    const redelivered = await restarted.append(threeDays());
    expect(redelivered).toMatchObject({ accepted: 3, duplicates: 2, treeSize: 5 });
    expect(await seqsOf(restarted)).toEqual([0, 1, 2, 3, 4]);
    const ids = (await restarted.query('* | stats count() by auditid', {})).rows;
    expect(ids).toEqual(['d1-a', 'd1-b', 'd2-a', 'd2-b', 'd3-a'].map((auditid) => ({ auditid, 'count()': 1 })));

    const sqlite = SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-sqlite-')));
    await sqlite.append(threeDays());
    expect(restarted.root().equals(sqlite.root)).toBe(true);
    await restarted.close();
    await sqlite.close();
  });

  it('re-reads what landed when an append fails in the same process, then continues without a gap', async () => {
    let failures = 1;
    const store = await ClickHouseStore.open(freshUrl(), {
      onPartitionWritten: () => {
        if (failures-- > 0) throw new Error('simulated failure after the first day partition');
      },
    });
    await expect(store.append(threeDays())).rejects.toThrow('simulated failure');
    expect((await store.append(threeDays())).accepted).toBe(3);
    expect(store.treeSize).toBe(5);
    expect(await seqsOf(store)).toEqual([0, 1, 2, 3, 4]);
    await store.close();
  });

  it('drops whole day partitions for retention and keeps the ledger frontier', async () => {
    const url = freshUrl();
    const store = await ClickHouseStore.open(url);
    await store.append(threeDays());
    const root = store.root();
    expect(await store.listPartitions()).toEqual([20260301, 20260302, 20260303]);
    expect(await store.dropPartitionsBefore(hours(48))).toEqual([20260301, 20260302]);
    expect(await store.listPartitions()).toEqual([20260303]);
    expect((await store.query('* | stats count()', {})).rows).toEqual([{ 'count()': 1 }]);
    await store.close();
    const reopened = await ClickHouseStore.open(url);
    expect(reopened.treeSize).toBe(5);
    expect(reopened.root().equals(root)).toBe(true);
    expect((await reopened.append([event('next', hours(50))])).treeSize).toBe(6);
    await reopened.close();
  });

  it('takes a batch of 20 000 events in one append', async () => {
    const store = await ClickHouseStore.open(freshUrl());
    const batch = Array.from({ length: 20_000 }, (_, i) => event(`bulk-${i}`, hours(1) + i, i % 2 === 0 ? 'alice' : 'bob'));
    expect((await store.append(batch)).accepted).toBe(20_000);
    expect((await store.append(batch.slice(0, 100))).duplicates).toBe(100);
    expect((await store.query('* | stats count() by user', {})).rows).toEqual([
      { user: 'alice', 'count()': 10_000 },
      { user: 'bob', 'count()': 10_000 },
    ]);
    await store.close();
  });
});

describe('ClickHouse state and errors', () => {
  it('saves and loads small state values; the last save wins', async () => {
    const url = freshUrl();
    const store = await ClickHouseStore.open(url, { log: 'p3' });
    expect(await store.loadState('detect/p3')).toBeUndefined();
    await store.saveState('detect/p3', '{"v":1}');
    await store.saveState('detect/p3', '{"v":2}');
    expect(await store.loadState('detect/p3')).toBe('{"v":2}');
    await store.close();
    const other = await ClickHouseStore.open(url, { log: 'p3' });
    expect(await other.loadState('detect/p3')).toBe('{"v":2}');
    await other.close();
  });

  it('reports a query ClickHouse rejects as a data error with the query in the message', async () => {
    const store = await ClickHouseStore.open(freshUrl());
    await store.append([event('a', hours(1))]);
    // RE2 has no lookahead: ClickHouse refuses the pattern when it compiles it.
    const error = await store.query('user=~"a(?=l)"', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClickHouseStoreError);
    expect(error).toMatchObject({ retryable: false, code: expect.any(Number) });
    expect((error as Error).message).toContain('running query "user=~\\"a(?=l)\\""');
    await store.close();
  });

  it('reports a server that does not answer as retryable', async () => {
    const error = await ClickHouseStore.open('clickhouse://127.0.0.1:1/vigil').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClickHouseStoreError);
    expect(error).toMatchObject({ retryable: true, code: undefined });
    expect((error as Error).message).toContain('creating database vigil at http://127.0.0.1:1');
  });
});

describe('ClickHouse down for a while', () => {
  it('fails appends as retryable while the server is down, then takes the redelivered batch with nothing lost', async () => {
    const url = freshUrl();
    const store = await ClickHouseStore.open(url);
    await store.append([event('before', hours(1))]);
    server.kill();
    const failure = await store.append(threeDays()).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(ClickHouseStoreError);
    expect(failure).toMatchObject({ retryable: true });
    await server.restart();
    expect(await store.append(threeDays())).toMatchObject({ accepted: 5, treeSize: 6 });
    expect(await seqsOf(store)).toEqual([0, 1, 2, 3, 4, 5]);
    await store.close();
    const reopened = await ClickHouseStore.open(url);
    expect(reopened.root().equals(store.root())).toBe(true);
    await reopened.close();
  });
});
