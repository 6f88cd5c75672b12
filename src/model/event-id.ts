import { createHash } from 'node:crypto';

/**
 * A stable event id: the same record from a retried webhook batch or a re-ingested file
 * gets the same id, so duplicates are recognised across runs. 80 bits of SHA-256 keep
 * collisions out of reach for billions of events while staying short enough to type.
 */
export function eventId(cluster: string, source: string, dedupKey: string): string {
  return createHash('sha256').update(`${cluster}\u0000${source}\u0000${dedupKey}`).digest('hex').slice(0, 20);
}
