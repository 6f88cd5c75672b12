import { readArchivedEvents } from '../archive/read-archive.js';
import type { VigilEvent } from '../model/event.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { TimeRange } from '../store/store.js';
import { type MergeStats, inBatches, mergeByTime } from './merge-by-time.js';
import { readStoredEvents, storedTimeSpan } from './stored-events.js';

/** Reads one archive target (a directory or `s3://bucket/prefix`): events of the range in time order. */
export type ArchiveReader = (target: string, range: TimeRange) => AsyncIterable<VigilEvent>;

/** Everything a hunt replays: the hot store and any archives, merged into one stream in time order. */
export interface History {
  events: AsyncIterable<readonly VigilEvent[]>;
  stats: MergeStats;
  /** The hot store's part of the range, for progress; archives may reach further back. */
  storedSpan?: { from: number; to: number };
}

export interface HistoryOptions {
  /** Archive targets to read besides the hot store (`--include-archive`). */
  archives?: readonly string[];
  readArchive?: ArchiveReader;
  pageSize?: number;
}

export function openHistory(db: SqliteDatabase, range: TimeRange, options: HistoryOptions = {}): History {
  const readArchive = options.readArchive ?? readArchivedEvents;
  const streams = [
    readStoredEvents(db, range, { pageSize: options.pageSize }),
    ...(options.archives ?? []).map((target) => inBatches(readArchive(target, range))),
  ];
  const stats: MergeStats = { duplicates: 0, outOfOrder: 0 };
  return { events: mergeByTime(streams, stats), stats, storedSpan: storedTimeSpan(db, range) };
}
