import type { VigilEvent } from '../../model/event.js';
import { FIELDS } from '../../model/fields.js';
import { flattenRecord } from '../../query/clickhouse-dialect.js';

/** What a query sees of an event row, in the SQLite store's column order: ledger index, normalized fields, record. */
export const EVENT_COLUMNS: readonly string[] = ['seq', ...FIELDS.map((field) => field.column), 'record'];

/** Columns that never hold NULL: the sort key and the identity of an event. */
const REQUIRED_COLUMNS = new Set(['ts', 'id', 'source', 'cluster']);

function columnType(column: string): string {
  const def = FIELDS.find((field) => field.column === column);
  if (def === undefined) throw new Error(`no field for column ${column}`);
  if (def.type === 'string[]') return 'Array(String)';
  const base = def.type === 'time' || def.type === 'number' ? 'Int64' : 'String';
  return REQUIRED_COLUMNS.has(column) ? base : `Nullable(${base})`;
}

/**
 * The tables, in SQL every ClickHouse since 18.16 accepts (no TTL, no LowCardinality, no codecs).
 * - `events`: one row per ledger leaf. Partitioned by UTC day (retention drops partitions),
 *   ordered by the common filters. `log`, `seq`, `leaf_hash` are the ledger: a verifier streams
 *   `(seq, leaf_hash, source, cluster, record)` of one log in seq order. `json_*` hold every node
 *   of the record for raw-path queries (see clickhouse-dialect.ts).
 * - `state`: small values by key, last version wins (ReplacingMergeTree; reads use argMax so
 *   they are right before merges run).
 * - `quarantine`: records that could not be accepted.
 * - `ledger_leaves`: each leaf hash as recorded at append time, filled by ClickHouse itself on
 *   every INSERT into `events` (materialized view `ledger_leaves_recorder`), so an UPDATE or DELETE of event rows leaves
 *   it as it was and `verify` can name a moved or deleted record; retention keeps it.
 * - `checkpoints`: signed checkpoints of each log with the frontier at their size (see checkpoints.ts).
 */
export function schemaStatements(): string[] {
  const fieldColumns = FIELDS.map((field) => `${field.column} ${columnType(field.column)}`);
  return [
    `CREATE TABLE IF NOT EXISTS events (
      log String,
      seq UInt64,
      leaf_hash String,
      day UInt32,
      ${fieldColumns.join(',\n      ')},
      record String,
      json_keys Array(String),
      json_types Array(String),
      json_values Array(String)
    ) ENGINE = MergeTree PARTITION BY day ORDER BY (cluster, source, ts)`,
    `CREATE TABLE IF NOT EXISTS state (key String, value String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY key`,
    `CREATE TABLE IF NOT EXISTS quarantine (
      log String,
      seq UInt64,
      source String,
      position String,
      reason String,
      sample String,
      received_at Int64
    ) ENGINE = MergeTree ORDER BY seq`,
    `CREATE TABLE IF NOT EXISTS ledger_leaves (log String, seq UInt64, leaf_hash String) ENGINE = MergeTree ORDER BY (log, seq)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ledger_leaves_recorder TO ledger_leaves AS SELECT log, seq, leaf_hash FROM events`,
    `CREATE TABLE IF NOT EXISTS checkpoints (log String, size UInt64, signed_at Int64, note String, frontier String) ENGINE = MergeTree ORDER BY (log, size)`,
  ];
}

/** UTC day of a timestamp as the partition value, e.g. 20260301. */
export function partitionDay(timestamp: number): number {
  return Number(new Date(timestamp).toISOString().slice(0, 10).replaceAll('-', ''));
}

/** One `events` row for JSONEachRow. */
export function eventRow(log: string, seq: number, leafHash: Buffer, event: VigilEvent): Record<string, unknown> {
  const row: Record<string, unknown> = { log, seq, leaf_hash: leafHash.toString('hex'), day: partitionDay(event.timestamp) };
  for (const field of FIELDS) {
    const value = field.get(event);
    row[field.column] = field.type === 'string[]' ? (value ?? []) : (value ?? null);
  }
  row.record = event.record;
  const flat = flattenRecord(event.raw);
  row.json_keys = flat.keys;
  row.json_types = flat.types;
  row.json_values = flat.values;
  return row;
}

/** An event row as a query returns it, shaped like the SQLite store's: lists as JSON text (NULL when empty). */
export function eventResultRow(row: Record<string, unknown>): Record<string, unknown> {
  const shaped: Record<string, unknown> = {};
  for (const column of EVENT_COLUMNS) {
    const value = row[column];
    shaped[column] = Array.isArray(value) ? (value.length === 0 ? null : JSON.stringify(value)) : value;
  }
  return shaped;
}
