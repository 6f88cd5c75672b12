import type { VigilEvent } from '../../model/event.js';
import { nodeEvent } from './node-event.js';
import { severityName } from './priority.js';

/** Why a JSON value was not accepted as a journal entry; becomes the quarantine reason. */
export class NotAJournalEntry extends Error {}

type Json = Record<string, unknown>;

/** A journal entry as `journalctl -o json` writes it: it always has its cursor and receive time. */
export function isJournalEntry(value: unknown): value is Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const entry = value as Json;
  return typeof entry.__CURSOR === 'string' || (typeof entry.__REALTIME_TIMESTAMP === 'string' && 'MESSAGE' in entry);
}

/**
 * Normalizes one entry. Field values are strings, but binary values come as arrays of byte
 * numbers, repeated fields as arrays and oversized ones as null (JOURNAL_EXPORT_FORMATS).
 */
export function normalizeJournalEntry(entry: Json, record: string, cluster: string): VigilEvent {
  const timestamp = microsToMillis(entry._SOURCE_REALTIME_TIMESTAMP) ?? microsToMillis(entry.__REALTIME_TIMESTAMP);
  if (timestamp === undefined) throw new NotAJournalEntry('journal entry without a valid __REALTIME_TIMESTAMP (microseconds since the epoch)');
  const message = fieldText(entry.MESSAGE);
  const cursor = fieldText(entry.__CURSOR);
  const priority = fieldText(entry.PRIORITY);
  return nodeEvent(
    {
      timestamp,
      // The cursor names one entry of one journal for good; without it, boot and monotonic time do.
      dedupKey: cursor ?? [entry._BOOT_ID, entry.__MONOTONIC_TIMESTAMP, entry.__REALTIME_TIMESTAMP, message].map(String).join('\u0000'),
      host: fieldText(entry._HOSTNAME),
      program: fieldText(entry.SYSLOG_IDENTIFIER) ?? fieldText(entry._COMM),
      message,
      level: priority === undefined ? undefined : severityName(Number(priority)),
      raw: entry,
      record,
    },
    cluster,
  );
}

/** A field as text: binary (byte arrays) decoded as UTF-8, the first of repeated values. */
export function fieldText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value) || value.length === 0) return undefined;
  if (value.every((item) => typeof item === 'number')) return Buffer.from(value as number[]).toString('utf8');
  return fieldText(value[0]);
}

function microsToMillis(value: unknown): number | undefined {
  const text = fieldText(value);
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Math.floor(Number(text) / 1000);
}
