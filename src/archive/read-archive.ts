import { deriveStoredEvent } from '../ledger/record-decoders.js';
import type { VigilEvent } from '../model/event.js';
import type { TimeRange } from '../store/store.js';
import { type IndexEntry, readArchiveIndex } from './archive-index.js';
import { manifestSchema } from './segment-format.js';
import { SegmentReader } from './segment-reader.js';
import { type ArchiveTarget, type TargetOptions, openArchiveTarget } from './target.js';

export { openArchiveTarget } from './target.js';

export interface ReadArchiveOptions extends TargetOptions {
  /** Segment names to leave out, e.g. those restored into the hot store (see `restoredSegmentNames`). */
  skipSegments?: ReadonlySet<string>;
}

/**
 * Streams archived events whose timestamp falls in `range`, in event-time order: segments are
 * read in time order, and segments whose times overlap (late records of a day archived by a later
 * run) are merged. Memory holds one line per open segment; columns are re-derived from each
 * stored record as `vigil verify` does, and the event keeps its stored id.
 * @param target a directory or `s3://bucket/prefix`.
 */
export async function* readArchivedEvents(target: string | ArchiveTarget, range: TimeRange, options: ReadArchiveOptions = {}): AsyncIterable<VigilEvent> {
  for await (const record of readArchivedRecords(target, range, options)) yield record.event;
}

/** An archived event with the ledger leaf index it was stored at. */
export interface ArchivedRecord {
  seq: number;
  event: VigilEvent;
}

/** As readArchivedEvents, with each event's leaf index. */
export async function* readArchivedRecords(target: string | ArchiveTarget, range: TimeRange, options: ReadArchiveOptions = {}): AsyncIterable<ArchivedRecord> {
  const archive = typeof target === 'string' ? openArchiveTarget(target, options) : target;
  const segments = (await segmentsInRange(archive, range)).filter((segment) => !options.skipSegments?.has(segment.name));
  for (const group of overlapGroups(segments)) {
    const streams = group.map((segment) => recordsOfSegment(archive, segment.name, range));
    yield* mergeByTime(streams);
  }
}

/** The segments whose time span meets the range, by the index (or, without one, the manifests). */
export async function segmentsInRange(archive: ArchiveTarget, range: TimeRange): Promise<Array<Pick<IndexEntry, 'name' | 'fromMs' | 'toMs'>>> {
  const index = await readArchiveIndex(archive);
  const all = index ? index.segments : await segmentsFromManifests(archive);
  const since = range.since ?? Number.NEGATIVE_INFINITY;
  const until = range.until ?? Number.POSITIVE_INFINITY;
  return all.filter((s) => s.toMs >= since && s.fromMs < until).sort((a, b) => a.fromMs - b.fromMs || a.name.localeCompare(b.name));
}

async function segmentsFromManifests(archive: ArchiveTarget): Promise<Array<Pick<IndexEntry, 'name' | 'fromMs' | 'toMs'>>> {
  const out: Array<Pick<IndexEntry, 'name' | 'fromMs' | 'toMs'>> = [];
  for await (const object of archive.list('segments/')) {
    if (!object.name.endsWith('.manifest.json')) continue;
    const manifest = manifestSchema.parse(JSON.parse((await archive.readText(object.name)) ?? 'null'));
    out.push({ name: manifest.segment.name, fromMs: manifest.time.fromMs, toMs: manifest.time.toMs });
  }
  return out;
}

async function* recordsOfSegment(archive: ArchiveTarget, name: string, range: TimeRange): AsyncGenerator<ArchivedRecord> {
  const reader = new SegmentReader(archive, name);
  for await (const line of reader.lines()) {
    const event = deriveStoredEvent(line.source, line.cluster, line.record);
    if (range.since !== undefined && event.timestamp < range.since) continue;
    // Lines are in time order: nothing later in this segment can fall in the range.
    if (range.until !== undefined && event.timestamp >= range.until) return;
    event.id = line.id;
    yield { seq: line.seq, event };
  }
}

/** Consecutive segments whose time spans overlap, each group to be merged. */
function overlapGroups<T extends { fromMs: number; toMs: number }>(segments: readonly T[]): T[][] {
  const groups: T[][] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const segment of segments) {
    if (groups.length > 0 && segment.fromMs <= end) groups[groups.length - 1].push(segment);
    else groups.push([segment]);
    end = Math.max(end, segment.toMs);
  }
  return groups;
}

async function* mergeByTime(streams: Array<AsyncIterator<ArchivedRecord>>): AsyncGenerator<ArchivedRecord> {
  if (streams.length === 1) {
    for (let next = await streams[0].next(); !next.done; next = await streams[0].next()) yield next.value;
    return;
  }
  const heads = await Promise.all(streams.map((stream) => stream.next()));
  for (;;) {
    let best = -1;
    heads.forEach((head, i) => {
      if (!head.done && (best < 0 || head.value.event.timestamp < (heads[best].value as ArchivedRecord).event.timestamp)) best = i;
    });
    if (best < 0) return;
    yield heads[best].value as ArchivedRecord;
    heads[best] = await streams[best].next();
  }
}
