import type { VigilEvent } from '../model/event.js';

/** What a merge saw besides the events it passed on. */
export interface MergeStats {
  /** Events met in more than one stream (a range both archived and back in the hot store), passed on once. */
  duplicates: number;
  /** Events older than the one before them in the same stream: detection saw them late. */
  outOfOrder: number;
}

interface Cursor {
  batches: AsyncIterator<readonly VigilEvent[]>;
  batch: readonly VigilEvent[];
  next: number;
  lastTime: number;
}

const OUTPUT_BATCH = 1000;

/**
 * Merges streams that are each in time order into one in time order (a k-way merge; on equal
 * times the earlier-listed stream goes first). Streams come in batches so that a single stream,
 * the common case, passes through untouched. The same event id met twice at one timestamp (an
 * id is derived from the event's time, so copies always meet there) is passed on once; only the
 * ids of the current timestamp are remembered, so memory stays flat.
 */
export async function* mergeByTime(streams: ReadonlyArray<AsyncIterable<readonly VigilEvent[]>>, stats: MergeStats): AsyncGenerator<readonly VigilEvent[]> {
  if (streams.length === 1) {
    yield* countingDisorder(streams[0], stats);
    return;
  }
  const cursors: Cursor[] = [];
  for (const stream of streams) {
    const cursor: Cursor = { batches: stream[Symbol.asyncIterator](), batch: [], next: 0, lastTime: Number.NEGATIVE_INFINITY };
    if (await refill(cursor)) cursors.push(cursor);
  }
  let out: VigilEvent[] = [];
  let currentTime = Number.NEGATIVE_INFINITY;
  const idsAtCurrentTime = new Set<string>();
  while (cursors.length > 0) {
    // Few streams (the hot store and an archive or two): a linear pick beats a heap's bookkeeping.
    let earliest = 0;
    for (let i = 1; i < cursors.length; i++) {
      if (cursors[i].batch[cursors[i].next].timestamp < cursors[earliest].batch[cursors[earliest].next].timestamp) earliest = i;
    }
    const cursor = cursors[earliest];
    const event = cursor.batch[cursor.next++];
    if (event.timestamp < cursor.lastTime) stats.outOfOrder++;
    else cursor.lastTime = event.timestamp;
    if (event.timestamp !== currentTime) {
      currentTime = event.timestamp;
      idsAtCurrentTime.clear();
    }
    if (idsAtCurrentTime.has(event.id)) stats.duplicates++;
    else {
      idsAtCurrentTime.add(event.id);
      out.push(event);
    }
    if (cursor.next === cursor.batch.length && !(await refill(cursor))) cursors.splice(earliest, 1);
    if (out.length >= OUTPUT_BATCH) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

async function refill(cursor: Cursor): Promise<boolean> {
  for (;;) {
    const result = await cursor.batches.next();
    if (result.done) return false;
    if (result.value.length > 0) {
      cursor.batch = result.value;
      cursor.next = 0;
      return true;
    }
  }
}

async function* countingDisorder(stream: AsyncIterable<readonly VigilEvent[]>, stats: MergeStats): AsyncGenerator<readonly VigilEvent[]> {
  let lastTime = Number.NEGATIVE_INFINITY;
  for await (const batch of stream) {
    for (const event of batch) {
      if (event.timestamp < lastTime) stats.outOfOrder++;
      else lastTime = event.timestamp;
    }
    yield batch;
  }
}

/** Groups a stream of single events (the archive reader's) into batches for `mergeByTime`. */
export async function* inBatches(events: AsyncIterable<VigilEvent>, size = OUTPUT_BATCH): AsyncGenerator<VigilEvent[]> {
  let batch: VigilEvent[] = [];
  for await (const event of events) {
    batch.push(event);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
