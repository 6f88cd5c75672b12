import { z } from 'zod';
import type { VigilEvent } from '../model/event.js';

/**
 * The archive's self-describing files. A segment is NDJSON, compressed (brotli by default, gzip
 * read too), one stored record a line in event-time order:
 *
 *   [seq, "event id", "source", "cluster", "record as stored"]
 *
 * `source`, `cluster` and `record` are exactly what the ledger leaf hashes
 * (`<source>\n<cluster>\n<record>`), so every leaf is recomputed from the segment alone; the other
 * columns are re-derived from the record as `vigil verify` does. Beside it, `<segment>.manifest.json`
 * (see `manifestSchema`) names its range, counts, sha256, and the signed checkpoint with a
 * multi-leaf proof tying every line to it.
 */

export const SEGMENT_FORMAT = 'vigil.archive-segment/v1';
export const SCHEMA_VERSION = 1;
export const LINE_FORMAT = '[seq, id, source, cluster, record]';
export const COMPRESSIONS = ['br', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 of a 32-byte SHA-256 hash');
const hexHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256');
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const manifestSchema = z.strictObject({
  format: z.literal(SEGMENT_FORMAT),
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** The log the leaves belong to (`vigil/<install id>`). */
  origin: z.string(),
  archivedAt: z.string(),
  segment: z.strictObject({
    /** Object name relative to the archive root. */
    name: z.string(),
    bytes: count,
    sha256: hexHash,
    compression: z.enum(COMPRESSIONS),
    lineFormat: z.literal(LINE_FORMAT),
    order: z.literal('timestamp, seq'),
  }),
  /** UTC day of the hot partition the records came from (YYYYMMDD). */
  day: z.string().regex(/^\d{8}$/),
  time: z.strictObject({ fromMs: z.number(), toMs: z.number(), from: z.string(), to: z.string() }),
  counts: z.strictObject({ events: count, bySource: z.record(z.string(), count) }),
  clusters: z.array(z.string()),
  /** Leaf indices held, as ascending disjoint [from, to) ranges. */
  leaves: z.strictObject({ from: count, to: count, count, ranges: z.array(z.tuple([count, count])) }),
  checkpoint: z.string(),
  proof: z.strictObject({ format: z.literal('vigil.multi-leaf-proof/v1'), treeSize: count, hashes: z.array(base64Hash) }),
});

export type SegmentManifest = z.infer<typeof manifestSchema>;

/** One line of a segment, parsed. */
export interface SegmentLine {
  seq: number;
  id: string;
  source: VigilEvent['source'];
  cluster: string;
  record: string;
}

export function encodeLine(line: SegmentLine): string {
  return `${JSON.stringify([line.seq, line.id, line.source, line.cluster, line.record])}\n`;
}

export class SegmentLineError extends Error {
  override name = 'SegmentLineError';
}

export function decodeLine(text: string, where: string): SegmentLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SegmentLineError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (
    !Array.isArray(value) ||
    value.length !== 5 ||
    !Number.isSafeInteger(value[0]) ||
    !value.slice(1).every((item) => typeof item === 'string')
  ) {
    throw new SegmentLineError(`${where}: expected ${LINE_FORMAT}`);
  }
  const [seq, id, source, cluster, record] = value as [number, string, VigilEvent['source'], string, string];
  return { seq, id, source, cluster, record };
}

/** `segments/2026/01/10/seg-<first seq>.ndjson.br`: by day for people, unique by first leaf. */
export function segmentName(day: string, firstSeq: number, compression: Compression): string {
  return `segments/${day.slice(0, 4)}/${day.slice(4, 6)}/${day.slice(6, 8)}/seg-${String(firstSeq).padStart(12, '0')}.ndjson.${compression === 'br' ? 'br' : 'gz'}`;
}

export function manifestName(segment: string): string {
  return `${segment}.manifest.json`;
}

/** Sorted, disjoint [from, to) ranges of a set of ascending leaf indices. */
export function indexRanges(sortedSeqs: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const seq of sortedSeqs) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === seq) last[1] = seq + 1;
    else ranges.push([seq, seq + 1]);
  }
  return ranges;
}
