import { adminEvent } from '../ledger/admin-record.js';
import type { LedgerSession } from '../ledger/ledger-session.js';
import { deriveStoredEvent } from '../ledger/record-decoders.js';
import type { VigilEvent } from '../model/event.js';
import { type CatalogSegment, listCatalogSegments, markRestored } from '../store/sqlite/archive-catalog.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { TimeRange } from '../store/store.js';
import { ARCHIVE_RESTORE } from './run-receipt.js';
import { SegmentReader } from './segment-reader.js';
import type { ArchiveTarget } from './target.js';

/**
 * `vigil archive restore`: brings archived segments back into the hot store. A restored record is
 * re-attached to the leaf it was appended as (same seq, same event id, checked against the leaf
 * hash the ledger kept), so the ledger gets no second entry for it and `vigil verify` sees it
 * intact again. Restore works in whole segments (a day, or part of a busy day): every segment of
 * this store's catalog whose time span meets the range comes back. The restore is itself an
 * `archive.restore` record; the catalog marks the segments restored, and they stay in the archive.
 */

export interface RestoreResult {
  segments: CatalogSegment[];
  restoredRecords: number;
  /** Time span actually restored (whole segments), epoch ms. */
  span: { fromMs: number; toMs: number } | null;
  declaredBy?: number;
}

const BATCH = 2000;

export async function restoreArchive(store: SqliteStore, session: LedgerSession, target: ArchiveTarget, range: TimeRange): Promise<RestoreResult> {
  const since = range.since ?? Number.NEGATIVE_INFINITY;
  const until = range.until ?? Number.POSITIVE_INFINITY;
  const segments = listCatalogSegments(store.db).filter((s) => s.target === target.location && s.restoredBy === null && s.expiredBy === null && s.maxTs >= since && s.minTs < until);
  if (segments.length === 0) return { segments, restoredRecords: 0, span: null };
  let restoredRecords = 0;
  for (const segment of segments) restoredRecords += await restoreSegment(store, target, segment);
  const declaredBy = store.db
    .transaction((): number => {
      const seq = store.treeSize;
      const event = adminEvent({
        action: ARCHIVE_RESTORE,
        outcome: 'success',
        summary: `restored ${restoredRecords} archived records of ${segments.length} segments from ${target.location}`,
        details: { target: target.location, segments: segments.map((s) => ({ name: s.name, sha256: s.sha256, events: s.events })), restoredRecords },
      });
      store.appendSync([event]);
      for (const s of segments) markRestored(store.db, s.target, s.name, seq);
      return seq;
    })
    .immediate();
  await session.checkpointNow();
  const span = { fromMs: Math.min(...segments.map((s) => s.minTs)), toMs: Math.max(...segments.map((s) => s.maxTs)) };
  return { segments, restoredRecords, span, declaredBy };
}

/**
 * Reads the segment and re-attaches its records a batch at a time. Every record is checked against
 * the leaf hash the ledger kept for its seq, so only genuine records come back whatever the file
 * holds; a digest other than the archived one is still reported, as the archive needs checking.
 */
async function restoreSegment(store: SqliteStore, target: ArchiveTarget, segment: CatalogSegment): Promise<number> {
  const reader = new SegmentReader(target, segment.name);
  let batch: Array<{ seq: number; event: VigilEvent }> = [];
  let restored = 0;
  for await (const line of reader.lines()) {
    const event = deriveStoredEvent(line.source, line.cluster, line.record);
    event.id = line.id;
    batch.push({ seq: line.seq, event });
    if (batch.length >= BATCH) {
      restored += store.reattachSync(batch);
      batch = [];
    }
  }
  if (batch.length > 0) restored += store.reattachSync(batch);
  const digest = reader.digest();
  if (digest.sha256 !== segment.sha256) {
    throw new Error(
      `segment ${segment.name} in ${target.location} has sha256 ${digest.sha256.slice(0, 16)}… but was archived as ${segment.sha256.slice(0, 16)}…; ` +
        `the records read matched their ledger leaves and were restored, but check the archive with vigil archive verify`,
    );
  }
  return restored;
}
