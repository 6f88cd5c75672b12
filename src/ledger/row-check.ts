import { variantEventId } from '../model/event-id.js';
import type { VigilEvent } from '../model/event.js';
import { FIELDS } from '../model/fields.js';
import type { ScannedRow } from '../store/sqlite/ledger-scan.js';
import { partitionDay } from '../store/sqlite/schema.js';
import { leafBytes } from './leaf.js';
import { leafHash } from './merkle.js';
import { CannotRederive, deriveStoredEvent } from './record-decoders.js';

/**
 * The per-row work of `vigil verify`, independent of the tree: hash the bytes the leaf commits to,
 * decode the record again with its source's decoder and compare every stored column with what
 * the decoder gives, so a column changed behind Vigil's back is caught like a changed record.
 * Pure and synchronous, so it runs the same in a worker thread or inline.
 */

export interface RowVerdict {
  /** Leaf hash of the row's source, cluster and record as stored. */
  hash: Buffer;
  /** What differs between the stored columns and the re-derived ones; null when nothing does. */
  mismatch: string | null;
}

const ID_INDEX = FIELDS.findIndex((field) => field.column === 'id');
const MAX_VALUE_TEXT = 80;

export function checkRow(row: ScannedRow): RowVerdict {
  const [seq, day, source, cluster, record, columns] = row;
  if (typeof source !== 'string' || typeof cluster !== 'string' || typeof record !== 'string') {
    return { hash: leafHash(untypedLeafBytes(source, cluster, record)), mismatch: `source, cluster or record at seq ${seq} is not stored as text` };
  }
  const hash = leafHash(leafBytes({ source: source as VigilEvent['source'], cluster, record }));
  let event: VigilEvent;
  try {
    event = deriveStoredEvent(source, cluster, record);
  } catch (error) {
    if (!(error instanceof CannotRederive)) throw error;
    return { hash, mismatch: `its columns cannot be re-derived: ${error.message}` };
  }
  return { hash, mismatch: compareColumns(event, columns) ?? comparePartition(event, day) };
}

/** The column values the store writes for an event, in `COMPARED_COLUMNS` order (see sqlite-store.ts). */
export function storedColumnValues(event: VigilEvent): unknown[] {
  return FIELDS.map((field) => {
    const value = field.get(event);
    return Array.isArray(value) ? JSON.stringify(value) : (value ?? null);
  });
}

/**
 * Compares the stored `json_array(...)` text with the re-derived values. The text comparison is
 * the fast path; when it fails (also for harmless differences in how SQLite and V8 escape JSON)
 * the values are compared one by one and only real differences are reported.
 */
function compareColumns(event: VigilEvent, columns: string | null): string | null {
  if (columns === null) return 'its stored columns cannot be read';
  const expected = storedColumnValues(event);
  if (JSON.stringify(expected) === columns) return null;
  const variantId = variantEventId(event.timestamp, event.cluster, event.source, event.dedupKey, event.record);
  expected[ID_INDEX] = variantId;
  if (JSON.stringify(expected) === columns) return null;
  let stored: unknown[];
  try {
    stored = JSON.parse(columns) as unknown[];
  } catch {
    return 'its stored columns cannot be read';
  }
  const differences: string[] = [];
  FIELDS.forEach((field, i) => {
    const value = stored[i] ?? null;
    if (i === ID_INDEX) {
      if (value !== event.id && value !== variantId) differences.push(`${field.name}: stored ${show(value)}, the record gives ${show(event.id)}`);
    } else if (value !== expected[i]) {
      differences.push(`${field.name}: stored ${show(value)}, the record gives ${show(expected[i])}`);
    }
  });
  return differences.length > 0 ? differences.join('; ') : null;
}

/** Queries find a record by the day partition of its time; one moved to another day's table hides from them. */
function comparePartition(event: VigilEvent, day: string): string | null {
  const home = partitionDay(event.timestamp);
  if (home === day) return null;
  return `it sits in partition events_${day} but its time ${new Date(event.timestamp).toISOString()} belongs in events_${home}`;
}

function untypedLeafBytes(...parts: unknown[]): Buffer {
  const bytes = parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(String(part), 'utf8')));
  return Buffer.concat([bytes[0], Buffer.from('\n'), bytes[1], Buffer.from('\n'), bytes[2]]);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}
