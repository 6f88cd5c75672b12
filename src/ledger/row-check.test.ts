import { describe, expect, it } from 'vitest';
import { auditEvent, tempStore } from '../../test/ledger/store-fixture.js';
import { PartitionRows, type ScannedRow, partitionExtents } from '../store/sqlite/ledger-scan.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { checkRow } from './row-check.js';

function rows(store: SqliteStore): ScannedRow[] {
  const problems: string[] = [];
  const extents = partitionExtents(store.db, (m) => problems.push(m));
  const found = new PartitionRows(store.db, (m) => problems.push(m)).read(0, 1000, extents);
  expect(problems).toEqual([]);
  return found;
}

function recordedHash(store: SqliteStore, seq: number): Buffer {
  return store.db.prepare('SELECT hash FROM leaves WHERE seq = ?').pluck().get(seq) as Buffer;
}

describe('checkRow', () => {
  it('re-derives every column of an untouched row and hashes it to its recorded leaf', () => {
    const { store } = tempStore();
    store.appendSync([auditEvent(0), auditEvent(1, { day: 1 }), auditEvent(2)]);
    for (const row of rows(store)) {
      expect(checkRow(row)).toEqual({ hash: recordedHash(store, row[0]), mismatch: null });
    }
  });

  it('accepts the variant id of a record that reused a dedup key', () => {
    const { store } = tempStore();
    const first = auditEvent(0, { user: 'alice' });
    const second = auditEvent(0, { user: 'bob' });
    store.appendSync([first, second]);
    const [a, b] = rows(store);
    expect(store.db.prepare('SELECT count(DISTINCT id) FROM leaves').pluck().get()).toBe(2);
    expect(checkRow(a).mismatch).toBeNull();
    expect(checkRow(b).mismatch).toBeNull();
  });

  it('names each stored column that no longer matches its record', () => {
    const { store } = tempStore();
    store.appendSync([auditEvent(0, { user: 'alice', verb: 'delete' })]);
    store.db.exec("UPDATE events_20260110 SET user_name = 'mallory', action = 'get', status_code = 404, namespace = NULL");
    const mismatch = checkRow(rows(store)[0]).mismatch;
    expect(mismatch).toBe(
      'event.action: stored "get", the record gives "delete"; user.name: stored "mallory", the record gives "alice"; ' +
        'orchestrator.namespace: stored null, the record gives "team-0"; http.response.status_code: stored 404, the record gives 200',
    );
  });

  it('catches values of another type: text where a number belongs, a BLOB that a text query would never match', () => {
    const { store } = tempStore();
    store.appendSync([auditEvent(0, { user: 'alice' })]);
    store.db.exec("UPDATE events_20260110 SET status_code = 'ok', user_name = CAST('alice' AS BLOB)");
    expect(checkRow(rows(store)[0]).mismatch).toMatch(/^user\.name: stored "BLOB x'616C696365'", .*http\.response\.status_code: stored "ok", the record gives 200$/);
  });

  it('catches a row moved to another day\'s partition, where queries by time do not look', () => {
    const { store } = tempStore();
    store.appendSync([auditEvent(0), auditEvent(1, { day: 3 })]);
    store.db.exec('INSERT INTO events_20260113 SELECT * FROM events_20260110; DELETE FROM events_20260110');
    const moved = rows(store).find((row) => row[0] === 0) as ScannedRow;
    expect(checkRow(moved).mismatch).toBe('it sits in partition events_20260113 but its time 2026-01-10T12:00:00.000Z belongs in events_20260110');
  });

  it('hashes a changed record to something else and says when its columns cannot be re-derived', () => {
    const { store } = tempStore();
    store.appendSync([auditEvent(0)]);
    store.db.exec("UPDATE events_20260110 SET record = '{\"kind\":\"Event\"'");
    const verdict = checkRow(rows(store)[0]);
    expect(verdict.hash.equals(recordedHash(store, 0))).toBe(false);
    expect(verdict.mismatch).toMatch(/^its columns cannot be re-derived: the record is not JSON/);
  });
});
