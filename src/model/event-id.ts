import { hash } from 'node:crypto';

/**
 * A stable event id: the same record from a retried webhook batch or a re-ingested file gets
 * the same id, so duplicates are recognised across runs. It starts with the event time (hex ms)
 * so ids sort by time and the store's unique index grows at its end instead of at random
 * places; 48 bits of SHA-256 of the identity follow, which keeps collisions out of reach among
 * events of the same millisecond.
 */
export function eventId(timestamp: number, cluster: string, source: string, dedupKey: string): string {
  const time = Math.max(0, Math.trunc(timestamp)).toString(16).padStart(12, '0');
  const digest = hash('sha256', `${cluster}\u0000${source}\u0000${dedupKey}`, 'hex');
  return time + digest.slice(0, 12);
}

/**
 * The id of a record that shares its dedup key with a different record (test data that reuses
 * audit IDs, a buggy emitter): it is kept as its own event, told apart by its content.
 */
export function variantEventId(timestamp: number, cluster: string, source: string, dedupKey: string, record: string): string {
  const digest = hash('sha256', record, 'hex');
  return eventId(timestamp, cluster, source, `${dedupKey}\u0000${digest}`);
}
