import { createHash } from 'node:crypto';

/**
 * Subjects and names of the bus. Receivers publish to `vigil.records.<key token>`; the NATS
 * server's account mapping `partition(n, 1)` moves each message to `vigil.part.<p>.<key token>`,
 * so one entity key always lands in one partition (and so in one worker's detection windows).
 * The stream captures only the mapped subjects: a server without the mapping answers "no
 * responders" and nothing is acknowledged unpartitioned.
 */

export const STREAM_NAME = 'VIGIL_RECORDS';
export const INPUT_PREFIX = 'vigil.records';
export const PARTITION_PREFIX = 'vigil.part';
export const LEASE_BUCKET = 'vigil-partition-leases';
/** Published to by whoever asks; the server's mapping moves it to `vigil.partitions.<n>`, which is how the count is read back. */
export const PARTITION_COUNT_SUBJECT = 'vigil.partitions';

/** A subject token for an entity key: user names hold dots and other characters a token cannot. */
export function keyToken(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 20);
}

export function inputSubject(key: string): string {
  return `${INPUT_PREFIX}.${keyToken(key)}`;
}

export function partitionSubject(partition: number): string {
  return `${PARTITION_PREFIX}.${partition}.*`;
}

export function consumerName(partition: number): string {
  return `vigil-p${partition}`;
}

/**
 * The account-level mapping the NATS server needs (in its config file; nats-server 2.8+):
 * publishing to a stream-level subject transform would need 2.10, and Debian ships 2.9. Its
 * second line states the partition count where workers can read it (see partition-count.ts), so
 * the count the records are spread over and the one workers check come from one place.
 */
export function partitionMapping(partitions: number): string {
  return [
    'mappings = {',
    `  "${INPUT_PREFIX}.*": "${PARTITION_PREFIX}.{{partition(${partitions},1)}}.{{wildcard(1)}}"`,
    `  "${PARTITION_COUNT_SUBJECT}": "${PARTITION_COUNT_SUBJECT}.${partitions}"`,
    '}',
    '',
  ].join('\n');
}
