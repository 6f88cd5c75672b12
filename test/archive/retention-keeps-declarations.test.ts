import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expireArchivedSegments } from '../../src/archive/archive-expiry.js';
import { archiveOldPartitions } from '../../src/archive/archive-move.js';
import { openArchiveTarget } from '../../src/archive/target.js';
import { applyRetention } from '../../src/ledger/retention.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { auditEvent } from '../ledger/store-fixture.js';
import { multiDayStore, withSession } from './archive-fixture.js';

/**
 * Records that declare removals (archive.move, archive.expire, retention.apply) are timestamped when they are
 * written, so a later retention run reaches their day partitions too. They must survive it, or
 * `vigil verify` loses what authorises the earlier removals and calls them deletions.
 */

const DAY = 86_400_000;
const at = (day: number) => Date.UTC(2026, 0, day, 12);

interface Report {
  intact: boolean;
  storeProblems: string[];
  ranges: Array<{ kind: string; from: number; to: number; detail: string }>;
}

async function verifyReport(dataDir: string, extra: string[] = []): Promise<{ report: Report; code: number | null; kinds: Record<string, number> }> {
  const result = await vigil(['verify', '--data-dir', dataDir, '-o', 'json', ...extra]);
  const report = JSON.parse(result.stdout) as Report;
  const kinds: Record<string, number> = {};
  for (const range of report.ranges) kinds[range.kind] = (kinds[range.kind] ?? 0) + range.to - range.from;
  return { report, code: result.code, kinds };
}

describe('retention after archiving', () => {
  it('keeps the archive.move, archive.expire and retention.apply records hot: verify stays intact, nothing reads as deleted', async () => {
    const { dataDir } = await multiDayStore(20);
    const archiveDir = join(tempDir('vigil-archive-target-'), 'archive');

    // 13 Jan: days 10 and 11 go to the archive; the archive.move record lands in the partition of the 13th.
    const moved = await withSession(dataDir, (store, session) =>
      archiveOldPartitions(store, session, openArchiveTarget(archiveDir), { olderThan: { ms: DAY, text: '1d' }, now: at(13) }),
    );
    expect(moved.archivedRecords).toBe(40);
    // 16 Jan: the 10th leaves the archive too; the archive.expire record lands in the partition of the 16th.
    const expired = await withSession(dataDir, (store, session) =>
      expireArchivedSegments(store, session, openArchiveTarget(archiveDir), { olderThan: { ms: 5 * DAY, text: '5d' }, now: at(16) }),
    );
    expect(expired.expiredRecords).toBe(20);

    // 20 Jan: retention over every day before the 19th, the 13th and 16th with their archive records included.
    const first = await withSession(dataDir, async (store) => applyRetention(store, { ms: DAY, text: '1d' }, at(20)));
    expect(first.plan.removedRecords).toBe(60);
    expect(first.declaredBy).toBeDefined();

    // Records of 25 Jan, then 1 Feb: retention again, reaching the 20th with the first retention record.
    await withSession(dataDir, async (store) => {
      store.appendSync([auditEvent(9001, { day: 15 }), auditEvent(9002, { day: 15 })]);
    });
    const second = await withSession(dataDir, async (store) => applyRetention(store, { ms: DAY, text: '1d' }, at(32)));
    expect(second.plan.removedRecords).toBe(2);
    expect(second.plan.days).toEqual(['20260125']);

    const { report, code, kinds } = await verifyReport(dataDir);
    expect(report.storeProblems).toEqual([]);
    expect(report.intact).toBe(true);
    expect(code).toBe(0);
    expect(kinds).toMatchObject({ archived: 20, expired: 82 });
    expect(Object.keys(kinds).sort()).toEqual(['archived', 'expired', 'intact']);

    const withArchives = await verifyReport(dataDir, ['--archives']);
    expect(withArchives.report.storeProblems).toEqual([]);
    expect(withArchives.code).toBe(0);
  });

  it('does not count a partition holding only kept declaring records as something to remove', async () => {
    const { dataDir } = await multiDayStore(10);
    await withSession(dataDir, async (store) => applyRetention(store, { ms: DAY, text: '1d' }, at(20)));
    const again = await withSession(dataDir, async (store) => applyRetention(store, { ms: DAY, text: '1d' }, at(40)));
    expect(again.declaredBy).toBeUndefined();
    expect(again.plan.removedRecords).toBe(0);
    const { report, code } = await verifyReport(dataDir);
    expect(report.storeProblems).toEqual([]);
    expect(code).toBe(0);
  });
});
