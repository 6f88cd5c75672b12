import { ADMIN_SOURCE } from '../ledger/admin-record.js';
import { rangesDigest } from '../ledger/retention.js';
import type { RetentionDeclaration } from '../ledger/verify-stream.js';
import { type CatalogSegment, listCatalogSegments, readCatalogRanges } from '../store/sqlite/archive-catalog.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { LeafTable } from '../store/sqlite/ledger-leaves.js';
import { ARCHIVE_EXPIRE, ARCHIVE_MOVE } from './run-receipt.js';

/**
 * The archived leaf ranges `vigil verify` may count as archived rather than deleted: those of the
 * catalog whose declaring `archive.move` record is present, is one, and carries the digest and
 * count of exactly the ranges the catalog lists for it. Like retention, the record's own
 * integrity and signature are then checked by verifyLedger. Ranges of restored segments are left
 * out: their rows are back, and a missing one is a deletion. Ranges of segments an intact
 * `archive.expire` record removed from the archive carry its seq: verify reports them expired.
 */

export interface ArchivedRange extends RetentionDeclaration {
  segment: string;
  target: string;
  /** Seq of the intact `archive.expire` record that removed the segment from the archive by policy. */
  expiredBy?: number;
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
  const expiries = new ExpiryRecords(leaves);
  const accepted: ArchivedRange[] = [];
  for (const [declaredBy, ranges] of groups) {
    const why = declarationProblem(leaves, declaredBy, ranges);
    if (why) {
      problem(`the archiving of ${ranges.length} leaf ranges is not authorised: ${why}`);
      continue;
    }
    for (const range of ranges) {
      const segment = segments.get(`${declaredBy}/${range.segment}`);
      if (!segment || segment.restoredBy !== null) continue;
      const expiredBy = segment.expiredBy === null ? undefined : expiries.authorise(segment, problem);
      accepted.push({ from: range.from, to: range.to, declaredBy, segment: range.segment, target: segment.target, ...(expiredBy === undefined ? {} : { expiredBy }) });
    }
  }
  return accepted.sort((a, b) => a.from - b.from);
}

/**
 * The `archive.expire` records the catalog points at, read once each. A segment counts as expired
 * only if its record is one and lists it with the digest it was archived with; otherwise it is
 * still archived, so `verify --archives` expects it in the archive.
 */
interface ExpiryDetails {
  target?: unknown;
  segments: Array<{ name?: unknown; sha256?: unknown }>;
}

class ExpiryRecords {
  private readonly listed = new Map<number, ExpiryDetails | undefined>();
  private readonly reported = new Set<number>();

  constructor(private readonly leaves: LeafTable) {}

  authorise(segment: CatalogSegment, problem: (message: string) => void): number | undefined {
    const seq = segment.expiredBy as number;
    const details = this.details(seq);
    if (details && details.target === segment.target && details.segments.some((s) => s.name === segment.name && s.sha256 === segment.sha256)) return seq;
    if (!this.reported.has(seq)) problem(`the catalog marks ${segment.name} expired by the record at seq ${seq}, which is not an ${ARCHIVE_EXPIRE} record of it: archive_expiries was altered`);
    this.reported.add(seq);
    return undefined;
  }

  private details(seq: number): ExpiryDetails | undefined {
    if (!this.listed.has(seq)) {
      const stored = this.leaves.recordAt(seq);
      let details: ExpiryDetails | undefined;
      try {
        const record = stored ? (JSON.parse(stored.record) as { action?: unknown; details?: Partial<ExpiryDetails> }) : undefined;
        if (stored?.source === ADMIN_SOURCE && record?.action === ARCHIVE_EXPIRE && Array.isArray(record.details?.segments)) details = record.details as ExpiryDetails;
      } catch {
        // not JSON: not an expiry record
      }
      this.listed.set(seq, details);
    }
    return this.listed.get(seq);
  }
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
