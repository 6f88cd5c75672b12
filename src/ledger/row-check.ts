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
  return checkLeafRow(seq, source, cluster, record, (event) => compareColumns(event, columns) ?? comparePartition(event, day));
}

/**
 * The store-independent part of checkRow: hashes what the leaf commits to, re-derives the event
 * and hands it to `compareStored`, which names what the store's other columns hold differently.
 */
export function checkLeafRow(seq: number, source: unknown, cluster: unknown, record: unknown, compareStored: (event: VigilEvent) => string | null): RowVerdict {
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
  return { hash, mismatch: compareStored(event) };
}

/** A stored id is right when it is the event's id or the content-derived variant id of a record that reused a dedup key. */
export function isStoredIdOf(event: VigilEvent, storedId: unknown): boolean {
  return storedId === event.id || storedId === variantEventId(event.timestamp, event.cluster, event.source, event.dedupKey, event.record);
}

/**
 * Compares the stored columns (one SQLite `json_array(...)` text, which keeps integers, text and
 * NULL apart and cannot hold a BLOB) with the values the store would write for the re-derived
 * event. The id may also be the content-derived variant id of a record that reused a dedup key.
 */
function compareColumns(event: VigilEvent, columns: string | null): string | null {
  let stored: unknown[];
  try {
    stored = JSON.parse(columns ?? 'null') as unknown[];
  } catch {
    stored = [];
  }
  if (!Array.isArray(stored) || stored.length !== FIELDS.length) return 'its stored columns cannot be read';
  let differences: string[] | undefined;
  for (let i = 0; i < FIELDS.length; i++) {
    const value = stored[i];
    if (i === ID_INDEX) {
      if (isStoredIdOf(event, value)) continue;
      (differences ??= []).push(`${FIELDS[i].name}: stored ${show(value)}, the record gives ${show(event.id)}`);
      continue;
    }
    const derived = FIELDS[i].get(event);
    const expected = Array.isArray(derived) ? JSON.stringify(derived) : (derived ?? null);
    if (value !== expected) (differences ??= []).push(`${FIELDS[i].name}: stored ${show(value)}, the record gives ${show(expected)}`);
  }
  return differences ? differences.join('; ') : null;
}

/** Queries find a record by the day partition of its time; one moved to another day's table hides from them. */
function comparePartition(event: VigilEvent, day: string): string | null {
  const start = dayStart(day);
  if (event.timestamp >= start && event.timestamp < start + DAY_MS) return null;
  return `it sits in partition events_${day} but its time ${new Date(event.timestamp).toISOString()} belongs in events_${partitionDay(event.timestamp)}`;
}

const DAY_MS = 86_400_000;
const dayStarts = new Map<string, number>();

function dayStart(day: string): number {
  let start = dayStarts.get(day);
  if (start === undefined) {
    start = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
    dayStarts.set(day, start);
  }
  return start;
}

function untypedLeafBytes(...parts: unknown[]): Buffer {
  const bytes = parts.map((part) => (Buffer.isBuffer(part) ? part : Buffer.from(String(part), 'utf8')));
  return Buffer.concat([bytes[0], Buffer.from('\n'), bytes[1], Buffer.from('\n'), bytes[2]]);
}

/** A stored value for a mismatch message, cut short. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}
