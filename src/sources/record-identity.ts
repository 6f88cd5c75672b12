import { createHash } from 'node:crypto';

/**
 * The dedup key of a record that carries no id of its own (an access-log line, a flow without
 * uuid): its content, so the same bytes ingested twice are stored once while two distinct lines
 * are two records.
 */
export function contentKey(record: string): string {
  return createHash('sha256').update(record).digest('hex').slice(0, 32);
}
