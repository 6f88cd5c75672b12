import { adminEvent } from '../ledger/admin-record.js';
import type { LedgerSession } from '../ledger/ledger-session.js';
import { type CatalogSegment, catalogRuns, createArchiveCatalog, listCatalogSegments, markExpired } from '../store/sqlite/archive-catalog.js';
import { partitionDay } from '../store/sqlite/schema.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { finishPendingRuns } from './archive-runs.js';
import { ARCHIVE_EXPIRE, type DeclaredSegment } from './run-receipt.js';
import { manifestName } from './segment-format.js';
import type { ArchiveTarget } from './target.js';

/**
 * The end of an archived day: segments of days older than the bound are removed from the archive
 * by policy. The removal is an `archive.expire` record listing the segments (with the digests
 * their move declared) and the previous run on the archive, committed with the catalog marks
 * before anything is deleted; then signed, and its receipt written to the archive, and only then
 * are the objects deleted (finishPendingRuns, which also finishes an expiry cut short). So
 * `vigil archive verify` with the public key alone and `vigil verify` both report those leaves
 * as expired by policy, never as missing.
 */

export interface ArchiveExpiryOptions {
  olderThan: { ms: number; text: string };
  now?: number;
}

export interface ArchiveExpiryResult {
  segments: CatalogSegment[];
  expiredRecords: number;
  /** Seq of the archive.expire record; undefined when no segment was old enough. */
  declaredBy?: number;
  repairedRuns: number[];
}

export async function expireArchivedSegments(store: SqliteStore, session: LedgerSession, target: ArchiveTarget, options: ArchiveExpiryOptions): Promise<ArchiveExpiryResult> {
  const db = store.db;
  createArchiveCatalog(db);
  const repairedRuns = await finishPendingRuns(db, session, target);
  const now = options.now ?? Date.now();
  const keepFromDay = partitionDay(now - options.olderThan.ms);
  const segments = listCatalogSegments(db).filter((s) => s.target === target.location && s.expiredBy === null && s.day < keepFromDay);
  if (segments.length === 0) return { segments, expiredRecords: 0, repairedRuns };
  const expiredRecords = segments.reduce((sum, s) => sum + s.events, 0);
  const declaredBy = store.db
    .transaction((): number => {
      const seq = store.treeSize;
      const previousRun = catalogRuns(db, target.location).at(-1)?.seq ?? null;
      const event = adminEvent(
        {
          action: ARCHIVE_EXPIRE,
          outcome: 'success',
          summary: `expired ${expiredRecords} archived records of ${segments.length} segments older than ${options.olderThan.text} from ${target.location}`,
          details: { target: target.location, olderThan: options.olderThan.text, expiredRecords, previousRun, segments: segments.map(declaredSegment) },
        },
        now,
      );
      const appended = store.appendSync([event]);
      if (appended.accepted !== 1 || appended.treeSize !== seq + 1) throw new Error(`the archive expiry record was not appended at seq ${seq}; nothing was removed`);
      for (const segment of segments) markExpired(db, target.location, segment.name, seq);
      return seq;
    })
    .immediate();
  await session.checkpointNow();
  await finishPendingRuns(db, session, target);
  return { segments, expiredRecords, declaredBy, repairedRuns };
}

function declaredSegment(segment: CatalogSegment): DeclaredSegment {
  return {
    name: segment.name,
    manifest: manifestName(segment.name),
    sha256: segment.sha256,
    manifestSha256: segment.manifestSha256,
    events: segment.events,
    firstSeq: segment.firstSeq,
    lastSeq: segment.lastSeq,
  };
}
