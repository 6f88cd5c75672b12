import { describe, expect, it } from 'vitest';
import { auditEvent, tempStore } from '../../../test/ledger/store-fixture.js';
import { listPartitionTables } from './ledger-scan.js';
import { mergeRanges, planRetention, readRetentionRanges, removeExpiredPartitions, subtractRanges } from './ledger-retention.js';

describe('seq range arithmetic', () => {
  it('merges touching and overlapping ranges', () => {
    expect(mergeRanges([{ from: 5, to: 7 }, { from: 0, to: 2 }, { from: 2, to: 3 }, { from: 6, to: 9 }])).toEqual([
      { from: 0, to: 3 },
      { from: 5, to: 9 },
    ]);
  });

  it('subtracts what is already taken', () => {
    expect(subtractRanges([{ from: 0, to: 10 }, { from: 20, to: 25 }], [{ from: 2, to: 4 }, { from: 8, to: 22 }])).toEqual([
      { from: 0, to: 2 },
      { from: 4, to: 8 },
      { from: 22, to: 25 },
    ]);
    expect(subtractRanges([{ from: 0, to: 3 }], [])).toEqual([{ from: 0, to: 3 }]);
  });
});

describe('retention of day partitions', () => {
  it('plans the seqs of whole days older than the bound, interleaved as they arrived, and removes them', () => {
    const { store } = tempStore();
    // Days 0 and 1 arrive interleaved with day 5.
    store.appendSync([auditEvent(0, { day: 0 }), auditEvent(1, { day: 5 }), auditEvent(2, { day: 1 }), auditEvent(3, { day: 1 }), auditEvent(4, { day: 5 })]);
    const cutoff = Date.UTC(2026, 0, 13);
    const plan = planRetention(store.db, cutoff);
    expect(plan).toMatchObject({ days: ['20260110', '20260111'], removedRecords: 3, ranges: [{ from: 0, to: 1 }, { from: 2, to: 4 }] });

    store.db.transaction(() => removeExpiredPartitions(store.db, plan, 5))();
    expect(listPartitionTables(store.db)).toEqual(['events_20260115']);
    expect(readRetentionRanges(store.db)).toEqual([
      { from: 0, to: 1, declaredBy: 5 },
      { from: 2, to: 4, declaredBy: 5 },
    ]);
    expect(store.db.prepare('SELECT count(*) FROM leaves').pluck().get()).toBe(5);
    expect(store.db.prepare('SELECT day FROM partitions').pluck().all()).toEqual(['20260115']);
    expect(planRetention(store.db, cutoff).tables).toEqual([]);
  });

  it('refuses a declaration that does not come after the records it removes', () => {
    const { store } = tempStore();
    store.appendSync([auditEvent(0, { day: 0 }), auditEvent(1, { day: 5 })]);
    const plan = planRetention(store.db, Date.UTC(2026, 0, 13));
    expect(() => removeExpiredPartitions(store.db, plan, 0)).toThrow(/must end before its declaring record at seq 0/);
  });
});
