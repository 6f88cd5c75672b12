import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { SqliteOutbox } from './outbox.js';

function outbox(): SqliteOutbox {
  return new SqliteOutbox(openDatabase(mkdtempSync(join(tmpdir(), 'vigil-outbox-'))));
}

const item = (orderKey: string, payload: string, receiver = 'pd') => ({ receiver, orderKey, idempotencyKey: payload, payload, alertIds: [orderKey] });

describe('SQLite outbox', () => {
  it('hands out one item per order key at a time, in order', () => {
    const box = outbox();
    box.enqueue([item('a', 'a1'), item('a', 'a2'), item('b', 'b1'), item('a', 'a3')], 1000);
    const first = box.claim('pd', 1000, 10, 60_000);
    expect(first.map((entry) => entry.payload)).toEqual(['a1', 'b1']);
    expect(box.claim('pd', 1000, 10, 60_000)).toEqual([]);
    box.markDelivered(first[0].id, 1001);
    expect(box.claim('pd', 1001, 10, 60_000).map((entry) => entry.payload)).toEqual(['a2']);
  });

  it('keeps a failed item at the head of its key until it is retried, and lets a dead one go', () => {
    const box = outbox();
    box.enqueue([item('a', 'a1'), item('a', 'a2')], 1000);
    const [head] = box.claim('pd', 1000, 10, 60_000);
    box.markFailed(head.id, 1000, 'HTTP 503', 5000);
    expect(box.claim('pd', 4999, 10, 60_000)).toEqual([]);
    const [retry] = box.claim('pd', 5000, 10, 60_000);
    expect(retry).toMatchObject({ payload: 'a1', attempts: 2, lastError: 'HTTP 503' });
    box.markFailed(retry.id, 5000, 'HTTP 400', null);
    expect(box.get(retry.id)?.status).toBe('dead');
    expect(box.claim('pd', 5000, 10, 60_000).map((entry) => entry.payload)).toEqual(['a2']);
    expect(box.requeue(retry.id, 6000)).toBe(true);
    expect(box.get(retry.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('returns items a dead process left in flight once their lease ran out', () => {
    const box = outbox();
    box.enqueue([item('a', 'a1')], 1000);
    box.claim('pd', 1000, 10, 30_000);
    expect(box.releaseExpiredLeases(20_000)).toBe(0);
    expect(box.releaseExpiredLeases(31_000)).toBe(1);
    expect(box.claim('pd', 31_000, 10, 30_000).map((entry) => entry.attempts)).toEqual([2]);
  });

  it('serves the longest-waiting keys first, so no key starves behind a failing one', () => {
    const box = outbox();
    box.enqueue([item('a', 'a1'), item('b', 'b1'), item('c', 'c1')], 1000);
    const [a] = box.claim('pd', 1000, 1, 60_000);
    box.markFailed(a.id, 1100, 'down', 1200);
    expect(box.claim('pd', 1300, 1, 60_000).map((entry) => entry.payload)).toEqual(['b1']);
  });

  it('lists by alert, receiver and status, and counts for the metrics', () => {
    const box = outbox();
    box.enqueue([item('a', 'a1', 'pd'), item('b', 'b1', 'slack')], 1000);
    expect(box.list({ alertId: 'b' }).map((entry) => entry.payload)).toEqual(['b1']);
    expect(box.list({ receiver: 'pd', status: 'pending' }).map((entry) => entry.payload)).toEqual(['a1']);
    expect(box.counts()).toEqual([
      { receiver: 'pd', status: 'pending', count: 1 },
      { receiver: 'slack', status: 'pending', count: 1 },
    ]);
  });
});
