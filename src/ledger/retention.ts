import { createHash } from 'node:crypto';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { type DeclaredRange, type RetentionPlan, type SeqRange, planRetention, readRetentionRanges, removeExpiredPartitions } from '../store/sqlite/ledger-retention.js';
import { LeafTable } from '../store/sqlite/ledger-leaves.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { ADMIN_SOURCE, adminEvent } from './admin-record.js';
import type { RetentionDeclaration } from './verify-stream.js';
import { ARCHIVE_EXPIRE, ARCHIVE_MOVE, ARCHIVE_RESTORE } from '../archive/run-receipt.js';

/**
 * Retention as a ledger action: the partitions are emptied (but for the records that declare
 * removals, see DECLARING_RECORD) in the same transaction that appends
 * the `retention.apply` admin record declaring what went, with a digest of the removed leaf
 * ranges. `verify` accepts a range as expired only if that record is intact, signed, and its
 * digest matches the ranges the store lists; anything else missing is deleted.
 */

export const RETENTION_ACTION = 'retention.apply';

/**
 * Vigil's records that declare removals: retention, archive moves, restores and expiries. They
 * stay in the hot store whatever their age (neither retention nor the archive takes them), as
 * `verify` reads them to accept what they declare; removing one would turn its ranges into deletions.
 * An SQL condition over a partition row aliased `e`.
 */
export const DECLARING_RECORD = `(e.source = '${ADMIN_SOURCE}' AND e.action IN (${[RETENTION_ACTION, ARCHIVE_MOVE, ARCHIVE_RESTORE, ARCHIVE_EXPIRE].map((a) => `'${a}'`).join(', ')}))`;

export interface RetentionResult {
  plan: RetentionPlan;
  /** Seq of the admin record that declares the removal; undefined when nothing was old enough. */
  declaredBy?: number;
}

/** What `applyRetention` would remove for records older than `cutoffMs`: the day partitions before it, but for their declaring records. */
export function retentionPlan(db: SqliteDatabase, cutoffMs: number): RetentionPlan {
  return planRetention(db, cutoffMs, DECLARING_RECORD);
}

/** Empties the day partitions whose records are all older than `olderThanMs` before `now`, keeping their declaring records. */
export function applyRetention(store: SqliteStore, olderThan: { ms: number; text: string }, now: number = Date.now()): RetentionResult {
  const db = store.db;
  return db.transaction((): RetentionResult => {
    const cutoff = now - olderThan.ms;
    const plan = retentionPlan(db, cutoff);
    if (plan.tables.length === 0) return { plan };
    const declaredBy = store.treeSize;
    removeExpiredPartitions(db, plan, declaredBy);
    const event = adminEvent(
      {
        action: RETENTION_ACTION,
        outcome: 'success',
        summary: `retention removed ${plan.removedRecords} records of ${plan.days.length} day partitions older than ${olderThan.text}`,
        details: {
          olderThan: olderThan.text,
          cutoff: new Date(cutoff).toISOString(),
          days: plan.days,
          removedRecords: plan.removedRecords,
          ranges: plan.ranges.length,
          firstSeq: plan.ranges[0]?.from ?? null,
          lastSeq: plan.ranges.length > 0 ? plan.ranges[plan.ranges.length - 1].to - 1 : null,
          rangesSha256: rangesDigest(plan.ranges),
        },
      },
      now,
    );
    const appended = store.appendSync([event]);
    if (appended.accepted !== 1 || appended.treeSize !== declaredBy + 1) {
      throw new Error(`the retention record was not appended at seq ${declaredBy}; nothing was removed`);
    }
    return { plan, declaredBy };
  }).immediate();
}

/** SHA-256 over the ranges as `from-to` lines: what a retention record commits to. */
export function rangesDigest(ranges: readonly SeqRange[]): string {
  const hash = createHash('sha256');
  for (const range of ranges) hash.update(`${range.from}-${range.to}\n`);
  return hash.digest('hex');
}

/**
 * The removals `verify` may count as expired: the store's `retention_ranges`, grouped by the
 * record that declared them, kept only where that record is a retention record whose digest and
 * count match. The record's own integrity and signature are then checked by verifyLedger.
 */
export function retentionDeclarations(db: SqliteDatabase, problem: (message: string) => void): RetentionDeclaration[] {
  const groups = new Map<number, DeclaredRange[]>();
  for (const range of readRetentionRanges(db)) {
    const group = groups.get(range.declaredBy);
    if (group) group.push(range);
    else groups.set(range.declaredBy, [range]);
  }
  const leaves = new LeafTable(db);
  const accepted: RetentionDeclaration[] = [];
  for (const [declaredBy, ranges] of groups) {
    const why = declarationProblem(leaves, declaredBy, ranges);
    if (why) problem(`the removal of ${describe(ranges)} is not authorised: ${why}`);
    else accepted.push(...ranges.map(({ from, to }) => ({ from, to, declaredBy })));
  }
  return withoutOverlaps(accepted, problem);
}

function declarationProblem(leaves: LeafTable, declaredBy: number, ranges: readonly SeqRange[]): string | undefined {
  const stored = leaves.recordAt(declaredBy);
  if (!stored) return `its declaring record at seq ${declaredBy} is gone`;
  let details: { removedRecords?: unknown; rangesSha256?: unknown } | undefined;
  try {
    const record = JSON.parse(stored.record) as { action?: unknown; details?: typeof details };
    if (stored.source === ADMIN_SOURCE && record.action === RETENTION_ACTION) details = record.details;
  } catch {
    // not JSON: reported below
  }
  if (!details) return `the record at seq ${declaredBy} is not a ${RETENTION_ACTION} record`;
  const removed = ranges.reduce((sum, range) => sum + range.to - range.from, 0);
  if (details.rangesSha256 !== rangesDigest(ranges) || details.removedRecords !== removed) {
    return `the ranges the store lists for seq ${declaredBy} (${removed} records) differ from what that signed record declares (${String(details.removedRecords)}): retention_ranges was altered`;
  }
  return undefined;
}

function withoutOverlaps(declarations: RetentionDeclaration[], problem: (message: string) => void): RetentionDeclaration[] {
  const sorted = [...declarations].sort((a, b) => a.from - b.from);
  const kept: RetentionDeclaration[] = [];
  for (const declaration of sorted) {
    const last = kept[kept.length - 1];
    if (last && declaration.from < last.to) {
      problem(`retention records at seq ${last.declaredBy} and ${declaration.declaredBy} both claim leaves from ${declaration.from}; only the first is counted`);
      continue;
    }
    kept.push(declaration);
  }
  return kept;
}

function describe(ranges: readonly SeqRange[]): string {
  const first = ranges[0];
  const last = ranges[ranges.length - 1];
  return ranges.length === 1 ? `seq ${first.from}–${first.to - 1}` : `${ranges.length} ranges within seq ${first.from}–${last.to - 1}`;
}
