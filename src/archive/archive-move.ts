import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminEvent } from '../ledger/admin-record.js';
import { parseCheckpoint } from '../ledger/checkpoint.js';
import { leafBytes } from '../ledger/leaf.js';
import type { LedgerSession } from '../ledger/ledger-session.js';
import { leafHash } from '../ledger/merkle.js';
import { DECLARING_RECORD, rangesDigest } from '../ledger/retention.js';
import type { VigilEvent } from '../model/event.js';
import { catalogRuns, createArchiveCatalog, insertCatalogSegment } from '../store/sqlite/archive-catalog.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { CheckpointTable } from '../store/sqlite/ledger-checkpoints.js';
import { removePartitionRows } from '../store/sqlite/ledger-retention.js';
import { dayOfTable, listPartitionTables } from '../store/sqlite/ledger-scan.js';
import { partitionDay, partitionTable } from '../store/sqlite/schema.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { finishPendingRuns } from './archive-runs.js';
import { provenSegmentProof } from './segment-proof.js';
import { ARCHIVE_MOVE, type DeclaredSegment } from './run-receipt.js';
import { type Compression, LINE_FORMAT, SCHEMA_VERSION, SEGMENT_FORMAT, type SegmentManifest, indexRanges, manifestName, segmentName } from './segment-format.js';
import { SegmentWriter } from './segment-writer.js';
import type { ArchiveTarget } from './target.js';

/**
 * `vigil archive`: whole day partitions older than the bound leave the hot store for segment
 * files. Order of work, so that nothing is lost whatever step fails:
 *  1. sign a checkpoint covering every leaf to be archived;
 *  2. write each segment and its manifest (with the multi-leaf proof to that checkpoint) to the target;
 *  3. in one transaction: catalog the segments, remove their rows (whole partitions, but for the
 *     records that declare removals, see DECLARING_RECORD) and append the `archive.move`
 *     record listing the segments and a digest of their leaf ranges (refused if rows arrived meanwhile);
 *  4. sign that record, then write its run receipt and the index to the target (finishPendingRuns).
 * A failure before 3 leaves the hot store as it was (segments already uploaded are orphans that
 * `archive verify` names and the next run overwrites); after 3 the next run on the target
 * finishes step 4 before anything else.
 */

export interface ArchiveMoveOptions {
  olderThan: { ms: number; text: string };
  now?: number;
  compression?: Compression;
  /** Events per segment at most: bounds what a reader or verifier holds for one segment. */
  maxSegmentEvents?: number;
  onSegment?: (segment: DeclaredSegment) => void;
}

export interface ArchiveMoveResult {
  days: string[];
  segments: DeclaredSegment[];
  archivedRecords: number;
  /** Seq of the archive.move record; undefined when nothing was old enough. */
  declaredBy?: number;
  /** Earlier runs on the target that were cut short after their commit and have been finished now. */
  repairedRuns: number[];
}

const DEFAULT_SEGMENT_EVENTS = 100_000;

const PAGE = 2000;

interface SegmentDraft {
  day: string;
  lines: number;
  leaves: Array<[number, Buffer]>;
  minTs: number;
  maxTs: number;
  bySource: Record<string, number>;
  clusters: Set<string>;
  writer: SegmentWriter;
  name: string;
}

interface FinishedSegment {
  declared: DeclaredSegment;
  manifest: SegmentManifest;
  ranges: Array<[number, number]>;
}

export async function archiveOldPartitions(store: SqliteStore, session: LedgerSession, target: ArchiveTarget, options: ArchiveMoveOptions): Promise<ArchiveMoveResult> {
  const db = store.db;
  createArchiveCatalog(db);
  const repairedRuns = await finishPendingRuns(db, session, target);
  const now = options.now ?? Date.now();
  const keepFromDay = partitionDay(now - options.olderThan.ms);
  const days = listPartitionTables(db)
    .map(dayOfTable)
    .filter((day) => day < keepFromDay && archivableCount(db, day) > 0);
  if (days.length === 0) return { days, segments: [], archivedRecords: 0, repairedRuns };

  const signed = (await session.checkpointNow()).latest;
  const checkpoint = signed ?? new CheckpointTable(db).latest();
  if (!checkpoint) throw new Error('the ledger has no signed checkpoint to tie the archive to; run vigil checkpoint first');
  const scratch = await mkdtemp(join(tmpdir(), 'vigil-archive-'));
  const finished: FinishedSegment[] = [];
  const rowCounts = new Map<string, { count: number; maxSeq: number }>();
  try {
    for (const day of days) {
      rowCounts.set(day, partitionSize(db, day));
      for await (const draft of segmentsOfDay(db, day, scratch, options)) {
        const segment = await finishSegment(db, draft, checkpoint.note, target);
        finished.push(segment);
        options.onSegment?.(segment.declared);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const declaredBy = commitMove(store, target, days, finished, rowCounts, options, now);
  await session.checkpointNow();
  await finishPendingRuns(db, session, target);
  return { days, segments: finished.map((s) => s.declared), archivedRecords: finished.reduce((sum, s) => sum + s.declared.events, 0), declaredBy, repairedRuns };
}

function archivableCount(db: SqliteDatabase, day: string): number {
  return db.prepare(`SELECT count(*) FROM ${partitionTable(day)} e WHERE NOT ${DECLARING_RECORD}`).pluck().get() as number;
}

function partitionSize(db: SqliteDatabase, day: string): { count: number; maxSeq: number } {
  return db.prepare(`SELECT count(*) AS count, coalesce(max(seq), -1) AS maxSeq FROM ${partitionTable(day)}`).get() as { count: number; maxSeq: number };
}

/** The rows of one day in (time, seq) order with their recorded leaf hash, a page at a time, cut into segments. */
async function* segmentsOfDay(db: SqliteDatabase, day: string, scratch: string, options: ArchiveMoveOptions): AsyncGenerator<SegmentDraft> {
  const table = partitionTable(day);
  const compression = options.compression ?? 'br';
  const limit = options.maxSegmentEvents ?? DEFAULT_SEGMENT_EVENTS;
  const page = db.prepare(
    `SELECT e.seq, e.id, e.ts, e.source, e.cluster, e.record, l.hash FROM ${table} e LEFT JOIN leaves l ON l.seq = e.seq
     WHERE (e.ts, e.seq) > (?, ?) AND NOT ${DECLARING_RECORD} ORDER BY e.ts, e.seq LIMIT ?`,
  );
  let draft: SegmentDraft | undefined;
  let after: [number, number] = [Number.MIN_SAFE_INTEGER, -1];
  for (;;) {
    const rows = page.all(after[0], after[1], PAGE) as Array<{ seq: number; id: string; ts: number; source: VigilEvent['source']; cluster: string; record: string; hash: Buffer | null }>;
    for (const row of rows) {
      const content = leafHash(leafBytes(row));
      if (!row.hash || !content.equals(row.hash)) {
        throw new Error(`the record at seq ${row.seq} (${table}) does not match its ledger leaf; nothing was archived. Run vigil verify to see what was altered`);
      }
      if (!draft) {
        const name = segmentName(day, row.seq, compression);
        draft = { day, lines: 0, leaves: [], minTs: row.ts, maxTs: row.ts, bySource: {}, clusters: new Set(), name, writer: new SegmentWriter(join(scratch, `seg-${row.seq}`), compression) };
      }
      await draft.writer.add({ seq: row.seq, id: row.id, source: row.source, cluster: row.cluster, record: row.record });
      draft.lines += 1;
      draft.leaves.push([row.seq, content]);
      draft.maxTs = row.ts;
      draft.bySource[row.source] = (draft.bySource[row.source] ?? 0) + 1;
      draft.clusters.add(row.cluster);
      if (draft.lines >= limit) {
        yield draft;
        draft = undefined;
      }
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    after = [last.ts, last.seq];
  }
  if (draft) yield draft;
}

async function finishSegment(db: SqliteDatabase, draft: SegmentDraft, note: string, target: ArchiveTarget): Promise<FinishedSegment> {
  const written = await draft.writer.finish();
  const leaves = draft.leaves.sort((a, b) => a[0] - b[0]);
  const seqs = leaves.map(([seq]) => seq);
  const head = parseCheckpoint(note);
  if (head.size <= seqs[seqs.length - 1]) throw new Error(`the newest checkpoint (size ${head.size}) does not cover seq ${seqs[seqs.length - 1]}; run vigil checkpoint and retry`);
  const proof = await provenSegmentProof(db, leaves, head.size, head.root);
  const ranges = indexRanges(seqs);
  const manifest: SegmentManifest = {
    format: SEGMENT_FORMAT,
    schemaVersion: SCHEMA_VERSION,
    origin: head.origin,
    archivedAt: new Date().toISOString(),
    segment: { name: draft.name, bytes: written.bytes, sha256: written.sha256, compression: draft.name.endsWith('.br') ? 'br' : 'gzip', lineFormat: LINE_FORMAT, order: 'timestamp, seq' },
    day: draft.day,
    time: { fromMs: draft.minTs, toMs: draft.maxTs, from: new Date(draft.minTs).toISOString(), to: new Date(draft.maxTs).toISOString() },
    counts: { events: draft.lines, bySource: draft.bySource },
    clusters: [...draft.clusters].sort(),
    leaves: { from: seqs[0], to: seqs[seqs.length - 1] + 1, count: seqs.length, ranges },
    checkpoint: note,
    proof: { format: 'vigil.multi-leaf-proof/v1', treeSize: head.size, hashes: proof.map((hash) => hash.toString('base64')) },
  };
  const manifestText = `${JSON.stringify(manifest, null, 1)}\n`;
  await target.putFile(draft.name, written.path);
  await target.putText(manifestName(draft.name), manifestText);
  await rm(written.path, { force: true });
  const declared: DeclaredSegment = {
    name: draft.name,
    manifest: manifestName(draft.name),
    sha256: written.sha256,
    manifestSha256: sha256(manifestText),
    events: draft.lines,
    firstSeq: seqs[0],
    lastSeq: seqs[seqs.length - 1],
  };
  return { declared, manifest, ranges };
}

function commitMove(
  store: SqliteStore,
  target: ArchiveTarget,
  days: readonly string[],
  segments: readonly FinishedSegment[],
  rowCounts: ReadonlyMap<string, { count: number; maxSeq: number }>,
  options: ArchiveMoveOptions,
  now: number,
): number {
  const db = store.db;
  return db
    .transaction((): number => {
      for (const day of days) {
        const before = rowCounts.get(day);
        const current = partitionSize(db, day);
        if (!before || before.count !== current.count || before.maxSeq !== current.maxSeq) {
          throw new Error(`records arrived in partition ${day} while it was being archived; nothing was removed. Run vigil archive again`);
        }
      }
      const declaredBy = store.treeSize;
      const previousRun = catalogRuns(db, target.location).at(-1)?.seq ?? null;
      const ranges = mergedRanges(segments.flatMap((s) => s.ranges));
      for (const segment of segments) {
        const { manifest, declared } = segment;
        insertCatalogSegment(
          db,
          {
            target: target.location,
            name: declared.name,
            day: manifest.day,
            minTs: manifest.time.fromMs,
            maxTs: manifest.time.toMs,
            events: declared.events,
            firstSeq: declared.firstSeq,
            lastSeq: declared.lastSeq,
            sha256: declared.sha256,
            manifestSha256: declared.manifestSha256,
            declaredBy,
            restoredBy: null,
          },
          segment.ranges,
        );
      }
      for (const day of days) removePartitionRows(db, day, DECLARING_RECORD);
      const archivedRecords = segments.reduce((sum, s) => sum + s.declared.events, 0);
      const event = adminEvent(
        {
          action: ARCHIVE_MOVE,
          outcome: 'success',
          summary: `archived ${archivedRecords} records of ${days.length} day partitions older than ${options.olderThan.text} to ${target.location}`,
          details: {
            target: target.location,
            olderThan: options.olderThan.text,
            days,
            removedRecords: archivedRecords,
            rangesSha256: rangesDigest(ranges.map(([from, to]) => ({ from, to }))),
            previousRun,
            segments: segments.map((s) => s.declared),
          },
        },
        now,
      );
      const appended = store.appendSync([event]);
      if (appended.accepted !== 1 || appended.treeSize !== declaredBy + 1) throw new Error(`the archive record was not appended at seq ${declaredBy}; nothing was removed`);
      return declaredBy;
    })
    .immediate();
}

/** Joins touching ranges of all segments (a day's segments can interleave by seq). */
export function mergedRanges(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [from, to] of sorted) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
