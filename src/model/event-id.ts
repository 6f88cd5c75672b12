import { createHash } from 'node:crypto';

/**
 * A stable event id: the same record from a retried webhook batch or a re-ingested file
 * gets the same id, so duplicates are recognised across runs. 80 bits of SHA-256 keep
 * collisions out of reach for billions of events while staying short enough to type.
 */
export function eventId(cluster: string, source: string, dedupKey: string): string {
  return createHash('sha256').update(`${cluster}\u0000${source}\u0000${dedupKey}`).digest('hex').slice(0, 20);
}

/**
 * The id of a record that shares its dedup key with a different record (test data that reuses
 * audit IDs, a buggy emitter): it is kept as its own event, told apart by its content.
 */
export function variantEventId(cluster: string, source: string, dedupKey: string, record: string): string {
  const digest = createHash('sha256').update(record).digest('hex');
  return eventId(cluster, source, `${dedupKey}\u0000${digest}`);
}
