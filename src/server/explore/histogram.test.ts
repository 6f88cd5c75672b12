import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../../model/k8s-audit.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { bucketWidth, histogram } from './histogram.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T10:00:00Z');

function auditEvent(n: number, at: number) {
  const raw = { kind: 'Event', auditID: `h-${n}`, stage: 'ResponseComplete', verb: n % 2 === 0 ? 'get' : 'delete', requestReceivedTimestamp: new Date(at).toISOString() };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'test');
}

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

describe('bucketWidth', () => {
  it('picks the narrowest round width that fits the span in the bars asked for', () => {
    expect(bucketWidth(24 * HOUR, 24)).toBe(HOUR);
    expect(bucketWidth(24 * HOUR, 60)).toBe(30 * 60_000);
    expect(bucketWidth(60_000, 60)).toBe(1000);
    expect(bucketWidth(90 * 24 * HOUR, 60)).toBe(2 * 24 * HOUR);
    expect(bucketWidth(10 * 365 * 24 * HOUR, 10)).toBe(390 * 24 * HOUR);
  });
});

describe('histogram', () => {
  it('counts the matching events per aligned bucket, closing an open range at the first and last event', async () => {
    store = SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-histogram-')));
    // 40 events, one every 9 minutes from 10:00: six hours.
    await store.append(Array.from({ length: 40 }, (_, i) => auditEvent(i, T0 + i * 9 * 60_000)));
    const all = await histogram(store, '*', {}, 6);
    expect(all.bucketMs).toBe(HOUR);
    expect(all.from).toBe(T0);
    expect(all.buckets.map((bucket) => bucket.count)).toEqual([7, 7, 6, 7, 7, 6]);
    expect(all.total).toBe(40);
    const deletes = await histogram(store, 'verb=delete', { since: T0, until: T0 + 2 * HOUR }, 2);
    expect(deletes.buckets.map((bucket) => bucket.count)).toEqual([3, 4]);
    expect(await histogram(store, 'verb=patch', {}, 10)).toMatchObject({ buckets: [], total: 0 });
  });
});
