import type { LedgerSession } from '../ledger/ledger-session.js';
import { type CatalogSegment, catalogRuns, listCatalogSegments } from '../store/sqlite/archive-catalog.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { type ArchiveIndex, ArchiveIndexError, type IndexEntry, type IndexRun, INDEX_FORMAT, readArchiveIndex, writeArchiveIndex } from './archive-index.js';
import { ARCHIVE_EXPIRE, ARCHIVE_MOVE, runReceiptName } from './run-receipt.js';
import { writeRunReceipt } from './run-writer.js';
import { manifestName } from './segment-format.js';
import type { ArchiveTarget } from './target.js';

/**
 * The target side of an archive run, once its ledger record is committed: the run receipt, for an
 * expiry the removal of the expired objects, then the index, which lists a run only when all of
 * that is done. Every run on a target calls this, so a run cut short after its commit (a crash,
 * the target failing) is finished by the next one: what the store's catalog records is the truth,
 * the target is brought up to it.
 */

/** Finishes every run of this store on `target` the index does not list yet; returns their seqs. */
export async function finishPendingRuns(db: SqliteDatabase, session: LedgerSession, target: ArchiveTarget): Promise<number[]> {
  const runs = catalogRuns(db, target.location);
  if (runs.length === 0) return [];
  const index = await readIndexOrNone(target);
  const done = new Set(index?.runs.map((run) => run.seq));
  const pending = runs.filter((run) => !done.has(run.seq));
  if (pending.length === 0) return [];
  const receipts = new Set<string>();
  for await (const object of target.list('runs/')) receipts.add(object.name);
  const catalog = listCatalogSegments(db).filter((segment) => segment.target === target.location);
  for (const run of pending) {
    if (!receipts.has(runReceiptName(run.seq))) await writeRunReceipt(db, session, target, run.seq, run.kind === 'move' ? ARCHIVE_MOVE : ARCHIVE_EXPIRE, undefined);
    if (run.kind === 'expire') await removeSegmentObjects(target, catalog.filter((segment) => segment.expiredBy === run.seq));
  }
  await writeArchiveIndex(target, indexFromCatalog(index, catalog, runs, session.key.name));
  return pending.map((run) => run.seq);
}

async function removeSegmentObjects(target: ArchiveTarget, segments: readonly CatalogSegment[]): Promise<void> {
  for (const segment of segments) {
    await target.remove(segment.name);
    await target.remove(manifestName(segment.name));
  }
}

/** An index that cannot be read is rewritten from the catalog, not a reason to stop archiving. */
async function readIndexOrNone(target: ArchiveTarget): Promise<ArchiveIndex | undefined> {
  try {
    return await readArchiveIndex(target);
  } catch (error) {
    if (error instanceof ArchiveIndexError) return undefined;
    throw error;
  }
}

/** This store's live segments and runs on the target, beside whatever else the index lists (another store's). */
function indexFromCatalog(existing: ArchiveIndex | undefined, catalog: readonly CatalogSegment[], runs: ReturnType<typeof catalogRuns>, origin: string): ArchiveIndex {
  const ours = new Set(catalog.map((segment) => segment.name));
  const ourRuns = new Set(runs.map((run) => run.seq));
  const entries: IndexEntry[] = catalog
    .filter((segment) => segment.expiredBy === null)
    .map((segment) => ({
      name: segment.name,
      manifest: manifestName(segment.name),
      day: segment.day,
      fromMs: segment.minTs,
      toMs: segment.maxTs,
      events: segment.events,
      firstSeq: segment.firstSeq,
      lastSeq: segment.lastSeq,
      sha256: segment.sha256,
      manifestSha256: segment.manifestSha256,
      run: segment.declaredBy,
    }));
  const indexRuns: IndexRun[] = runs.map((run) => ({ seq: run.seq, action: run.kind === 'move' ? ARCHIVE_MOVE : ARCHIVE_EXPIRE, receipt: runReceiptName(run.seq) }));
  return {
    format: INDEX_FORMAT,
    origin: existing?.origin ?? origin,
    segments: [...(existing?.segments ?? []).filter((entry) => !ours.has(entry.name)), ...entries],
    runs: [...(existing?.runs ?? []).filter((run) => !ourRuns.has(run.seq)), ...indexRuns],
  };
}
