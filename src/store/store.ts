import type { VigilEvent } from '../model/event.js';

/** A record that could not be accepted, kept with where it came from and why. */
export interface QuarantineItem {
  /** What kind of source was reading, e.g. `k8s.audit`. */
  source: string;
  /** Where: `file.log:1234`, `stdin:12`, `POST /api/v1/ingest/k8s-audit item 3`. */
  position: string;
  reason: string;
  /** The offending bytes, cut to a few KiB so one huge bad record cannot fill the disk. */
  sample: string;
  receivedAt: number;
}

export interface StoredQuarantineItem extends QuarantineItem {
  seq: number;
}

export interface AppendResult {
  accepted: number;
  /** The events that were new (not duplicates), in ledger order. */
  acceptedEvents: VigilEvent[];
  duplicates: number;
  /** Ledger tree size after the append (leaf index of the next record). */
  treeSize: number;
}

export interface TimeRange {
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Exclusive upper bound, epoch ms. */
  until?: number;
}

/** One stored record as the ledger sees it: its leaf index and the bytes that were hashed. */
export interface LedgerRecord {
  seq: number;
  /** The columns a query can return, as stored, for re-deriving and comparing. */
  event: VigilEvent;
  /** The leaf hash that was recorded when the record was appended. */
  leafHash: Buffer;
}

export interface QueryRows {
  /** 'events' rows are stored events (all columns); 'table' rows are the output of `| stats`. */
  shape: 'events' | 'table';
  columns: string[];
  rows: Record<string, unknown>[];
}

/**
 * What every store adapter (SQLite embedded, ClickHouse scale-out) provides.
 * Appends are atomic per batch: the records, their ledger leaves and the ledger frontier are
 * durable together or not at all, so an acknowledged batch is always covered by the ledger.
 */
export interface Store {
  append(batch: readonly VigilEvent[]): Promise<AppendResult>;
  quarantine(items: readonly QuarantineItem[]): Promise<void>;
  listQuarantine(limit: number): Promise<StoredQuarantineItem[]>;
  /**
   * Runs a query written in Vigil's query language over a time range.
   * @param defaultLimit row cap when the query ends without `| head N`.
   */
  query(text: string, range: TimeRange, defaultLimit?: number): Promise<QueryRows>;
  close(): Promise<void>;
}
