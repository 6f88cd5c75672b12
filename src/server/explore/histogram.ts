import type { Store, TimeRange } from '../../store/store.js';
import { asBadRequest } from './explore-input.js';

/**
 * Event counts over time for the Explore histogram. Buckets are a "round" width (1 s … 30 d)
 * aligned to it, so bars line up with clock times. Each bucket is one `| stats count()` over
 * its own time range: the store answers each from its time index, the work stays proportional
 * to the events in the range, and any store with the query language can do it.
 */

export interface Histogram {
  /** First bucket's start and the last one's end, epoch ms. */
  from: number;
  to: number;
  bucketMs: number;
  buckets: Array<{ start: number; count: number }>;
  total: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ROUND_WIDTHS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY,
];

/** The narrowest round width that covers `span` in at most `buckets` bars. */
export function bucketWidth(span: number, buckets: number): number {
  const wanted = span / buckets;
  return ROUND_WIDTHS.find((width) => width >= wanted) ?? Math.ceil(wanted / (30 * DAY)) * 30 * DAY;
}

/**
 * The histogram of `filter` over `range` (see `closedRange` for an open side).
 */
export async function histogram(store: Store, filter: string, range: TimeRange, buckets: number, now: number = Date.now()): Promise<Histogram> {
  const bounds = await closedRange(store, filter, range, now);
  if (!bounds) return { from: range.since ?? 0, to: range.until ?? 0, bucketMs: 0, buckets: [], total: 0 };
  const bucketMs = bucketWidth(Math.max(bounds.until - bounds.since, 1), buckets);
  const from = Math.floor(bounds.since / bucketMs) * bucketMs;
  const result: Histogram = { from, to: from, bucketMs, buckets: [], total: 0 };
  for (let start = from; start < bounds.until; start += bucketMs) {
    const window = { since: Math.max(start, bounds.since), until: Math.min(start + bucketMs, bounds.until) };
    const count = await countIn(store, filter, window);
    result.buckets.push({ start, count });
    result.total += count;
    result.to = start + bucketMs;
  }
  return result;
}

async function countIn(store: Store, filter: string, range: TimeRange): Promise<number> {
  const rows = await run(store, `${filter} | stats count() as n`, range);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Closes an open range: a missing `until` is the later of now and the last matching event, a
 * missing `since` the first matching event. Undefined when nothing matches and no side is given.
 */
async function closedRange(store: Store, filter: string, range: TimeRange, now: number): Promise<{ since: number; until: number } | undefined> {
  if (range.since !== undefined && range.until !== undefined) return { since: range.since, until: range.until };
  // Counted too: over no rows ClickHouse's min and max are 0, not NULL as in SQLite.
  const [extent] = await run(store, `${filter} | stats count() as n, min(@timestamp) as first, max(@timestamp) as last`, range);
  const matched = Number(extent?.n ?? 0) > 0;
  const first = matched ? numberOrUndefined(extent?.first) : undefined;
  const last = matched ? numberOrUndefined(extent?.last) : undefined;
  const until = range.until ?? Math.max(last === undefined ? now : last + 1, range.since === undefined ? -Infinity : now);
  const since = range.since ?? first;
  if (since === undefined || !Number.isFinite(until) || since >= until) return undefined;
  return { since, until };
}

function numberOrUndefined(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

async function run(store: Store, text: string, range: TimeRange): Promise<Record<string, unknown>[]> {
  try {
    return (await store.query(text, range)).rows;
  } catch (error) {
    throw asBadRequest(error);
  }
}
