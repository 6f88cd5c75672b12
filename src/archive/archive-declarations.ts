import { ADMIN_SOURCE } from '../ledger/admin-record.js';
import { rangesDigest } from '../ledger/retention.js';
import type { RetentionDeclaration } from '../ledger/verify-stream.js';
import { listCatalogSegments, readCatalogRanges } from '../store/sqlite/archive-catalog.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { LeafTable } from '../store/sqlite/ledger-leaves.js';
import { ARCHIVE_MOVE } from './run-receipt.js';

/**
 * The archived leaf ranges `vigil verify` may count as archived rather than deleted: those of the
 * catalog whose declaring `archive.move` record is present, is one, and carries the digest and
 * count of exactly the ranges the catalog lists for it. Like retention, the record's own
 * integrity and signature are then checked by verifyLedger. Ranges of restored segments are left
 * out: their rows are back, and a missing one is a deletion.
 */

export interface ArchivedRange extends RetentionDeclaration {
  segment: string;
  target: string;
}

export function archiveDeclarations(db: SqliteDatabase, problem: (message: string) => void): ArchivedRange[] {
  const segments = new Map(listCatalogSegments(db).map((s) => [`${s.declaredBy}/${s.name}`, s]));
  const groups = new Map<number, Array<{ from: number; to: number; segment: string }>>();
  for (const range of readCatalogRanges(db)) {
    const group = groups.get(range.declaredBy) ?? [];
    group.push(range);
    groups.set(range.declaredBy, group);
  }
  const leaves = new LeafTable(db);
  const accepted: ArchivedRange[] = [];
  for (const [declaredBy, ranges] of groups) {
    const why = declarationProblem(leaves, declaredBy, ranges);
    if (why) {
      problem(`the archiving of ${ranges.length} leaf ranges is not authorised: ${why}`);
      continue;
    }
    for (const range of ranges) {
      const segment = segments.get(`${declaredBy}/${range.segment}`);
      if (segment && segment.restoredBy === null) accepted.push({ from: range.from, to: range.to, declaredBy, segment: range.segment, target: segment.target });
    }
  }
  return accepted.sort((a, b) => a.from - b.from);
}

function declarationProblem(leaves: LeafTable, declaredBy: number, ranges: ReadonlyArray<{ from: number; to: number }>): string | undefined {
  const stored = leaves.recordAt(declaredBy);
  if (!stored) return `its declaring record at seq ${declaredBy} is gone`;
  let details: { removedRecords?: unknown; rangesSha256?: unknown } | undefined;
  try {
    const record = JSON.parse(stored.record) as { action?: unknown; details?: typeof details };
    if (stored.source === ADMIN_SOURCE && record.action === ARCHIVE_MOVE) details = record.details;
  } catch {
    // not JSON: reported below
  }
  if (!details) return `the record at seq ${declaredBy} is not an ${ARCHIVE_MOVE} record`;
  const merged = mergeTouching(ranges);
  const count = merged.reduce((sum, range) => sum + range.to - range.from, 0);
  if (details.rangesSha256 !== rangesDigest(merged) || details.removedRecords !== count) {
    return `the archive catalog's ranges for seq ${declaredBy} (${count} records) differ from what that signed record declares (${String(details.removedRecords)}): archive_ranges was altered`;
  }
  return undefined;
}

function mergeTouching(ranges: ReadonlyArray<{ from: number; to: number }>): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (const { from, to } of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last && from <= last.to) last.to = Math.max(last.to, to);
    else out.push({ from, to });
  }
  return out;
}

/** Archive ranges that do not overlap the retention declarations (retention wins where both claim a leaf). */
export function withoutRetentionOverlap(archived: readonly ArchivedRange[], retention: readonly RetentionDeclaration[], problem: (message: string) => void): ArchivedRange[] {
  return archived.filter((range) => {
    const clash = retention.find((r) => r.from < range.to && range.from < r.to);
    if (clash) problem(`leaves ${range.from}–${range.to - 1} are declared both archived (seq ${range.declaredBy}) and removed by retention (seq ${clash.declaredBy}); counted as removed`);
    return !clash;
  });
}
