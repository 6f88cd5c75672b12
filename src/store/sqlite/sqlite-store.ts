import { isDeepStrictEqual } from 'node:util';
import type { Statement } from 'better-sqlite3';
import { leafBytes } from '../../ledger/leaf.js';
import { MerkleFrontier, leafHash } from '../../ledger/merkle.js';
import type { VigilEvent } from '../../model/event.js';
import { variantEventId } from '../../model/event-id.js';
import { FIELDS } from '../../model/fields.js';
import { compileQuery, registerSqliteFunctions, sqliteDialect } from '../../query/index.js';
import type { AppendResult, QuarantineItem, QueryRows, Store, StoredQuarantineItem, TimeRange } from '../store.js';
import { type OpenOptions, type SqliteDatabase, openDatabase } from './database.js';
import { DaySpans } from './day-spans.js';
import { EVENT_COLUMNS, createBaseSchema, createPartition, partitionDay, partitionTable } from './schema.js';

/** The embedded default store: one SQLite file under the data directory. */
export class SqliteStore implements Store {
  private readonly inserts = new Map<string, Statement>();
  private frontier: MerkleFrontier;
  private readonly statements;

  private constructor(readonly db: SqliteDatabase) {
    createBaseSchema(db);
    registerSqliteFunctions(db);
    this.statements = {
      insertLeaf: db.prepare('INSERT OR IGNORE INTO leaves (seq, id, day, hash) VALUES (?, ?, ?, ?)'),
      leafById: db.prepare('SELECT day, seq FROM leaves WHERE id = ?'),
      insertText: db.prepare('INSERT INTO events_fts (rowid, message) VALUES (?, ?)'),
      loadFrontier: db.prepare('SELECT frontier FROM ledger_state WHERE id = 1').pluck(),
      saveFrontier: db.prepare('INSERT INTO ledger_state (id, frontier) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET frontier = excluded.frontier'),
      notePartition: db.prepare(
        `INSERT INTO partitions (day, table_name, min_ts, max_ts) VALUES (?, ?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET min_ts = min(min_ts, excluded.min_ts), max_ts = max(max_ts, excluded.max_ts)`,
      ),
      insertQuarantine: db.prepare('INSERT INTO quarantine (source, position, reason, sample, received_at) VALUES (?, ?, ?, ?, ?)'),
    };
    this.frontier = MerkleFrontier.empty();
    this.syncFrontier();
  }

  static open(dataDir: string, options: OpenOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(dataDir, options));
  }

  /** Ledger size: the number of records ever appended (leaf index of the next one). */
  get treeSize(): number {
    return this.syncFrontier().size;
  }

  get root(): Buffer {
    return this.syncFrontier().root();
  }

  async append(batch: readonly VigilEvent[]): Promise<AppendResult> {
    return this.appendSync(batch);
  }

  /**
   * Stores a batch, its ledger leaves and the new frontier in one transaction: after a crash
   * either all of it is there or none, so the ledger never misses an acknowledged record.
   */
  appendSync(batch: readonly VigilEvent[]): AppendResult {
    const before = this.frontier.clone();
    try {
      // IMMEDIATE takes the write lock before the frontier is read, so no other writer slips in between.
      return this.db
        .transaction(() => {
          this.syncFrontier();
          return this.insertBatch(batch);
        })
        .immediate();
    } catch (error) {
      this.frontier = before;
      throw error;
    }
  }

  /**
   * The ledger frontier as committed. Another process may have appended to the same data dir
   * (a `vigil ingest` beside `vigil serve`), or an enclosing transaction rolled back: the
   * frontier in memory is only a cache of the one stored with the records.
   */
  private syncFrontier(): MerkleFrontier {
    const stored = this.statements.loadFrontier.get() as Buffer | undefined;
    if (stored === undefined) {
      if (this.frontier.size !== 0) this.frontier = MerkleFrontier.empty();
    } else if (!stored.equals(this.frontier.serialize())) {
      this.frontier = MerkleFrontier.deserialize(stored);
    }
    return this.frontier;
  }

  private insertBatch(batch: readonly VigilEvent[]): AppendResult {
    const acceptedEvents: VigilEvent[] = [];
    const touched = new DaySpans();
    for (const incoming of batch) {
      const day = partitionDay(incoming.timestamp);
      const seq = this.frontier.size;
      const hash = leafHash(leafBytes(incoming));
      const event = this.claimLeaf(seq, day, hash, incoming);
      if (!event) continue;
      this.insertRow(day, [seq, ...columnValues(event)]);
      if (event.message) this.statements.insertText.run(seq, event.message);
      this.frontier.append(hash);
      acceptedEvents.push(event);
      touched.widen(day, event.timestamp);
    }
    this.notePartitions(touched);
    if (acceptedEvents.length > 0) this.statements.saveFrontier.run(this.frontier.serialize());
    const accepted = acceptedEvents.length;
    return { accepted, acceptedEvents, duplicates: batch.length - accepted, treeSize: this.frontier.size };
  }

  private notePartitions(touched: DaySpans): void {
    for (const [day, span] of touched.entries()) this.statements.notePartition.run(day, partitionTable(day), span.min, span.max);
  }

  /**
   * Records the ledger leaf under the event's id unless that id is taken: the unique id is the
   * dedup, so a retried batch stores nothing twice. A different record under the same dedup key
   * is not a retry: it is kept under a content-derived id. Returns the event as it will be
   * stored, or undefined for a duplicate.
   */
  private claimLeaf(seq: number, day: string, hash: Buffer, event: VigilEvent): VigilEvent | undefined {
    const { insertLeaf, leafById } = this.statements;
    if (insertLeaf.run(seq, event.id, day, hash).changes === 1) return event;
    const existing = leafById.get(event.id) as { day: string; seq: number };
    const record = this.db.prepare(`SELECT record FROM ${partitionTable(existing.day)} WHERE seq = ?`).pluck().get(existing.seq) as string;
    if (record === event.record || isDeepStrictEqual(JSON.parse(record), event.raw)) return undefined;
    const variant = { ...event, id: variantEventId(event.timestamp, event.cluster, event.source, event.dedupKey, event.record) };
    return insertLeaf.run(seq, variant.id, day, hash).changes === 1 ? variant : undefined;
  }

  private insertRow(day: string, values: unknown[]): void {
    try {
      this.insertFor(day).run(...values);
    } catch (error) {
      if (!/no such table/.test((error as Error).message)) throw error;
      // Retention (in this process or another) dropped the day's partition; a late event brings it back.
      this.inserts.delete(day);
      this.insertFor(day).run(...values);
    }
  }

  private insertFor(day: string): Statement {
    let statement = this.inserts.get(day);
    if (!statement) {
      const table = createPartition(this.db, day);
      const placeholders = EVENT_COLUMNS.map(() => '?').join(', ');
      statement = this.db.prepare(`INSERT INTO ${table} (${EVENT_COLUMNS.join(', ')}) VALUES (${placeholders})`);
      this.inserts.set(day, statement);
    }
    return statement;
  }

  /**
   * Puts records back at the leaves they were appended as (an archive restore): each goes into its
   * day's partition under its original seq, after checking that the ledger recorded this event id
   * and this leaf hash at that seq. The ledger is not appended to, so a restored record is the same
   * leaf as before it was archived. Rows already present are skipped; returns how many were put back.
   */
  reattachSync(rows: ReadonlyArray<{ seq: number; event: VigilEvent }>): number {
    const leafAt = this.db.prepare('SELECT id, hash FROM leaves WHERE seq = ?');
    const inserts = new Map<string, Statement>();
    const touched = new DaySpans();
    let restored = 0;
    this.db.transaction(() => {
      for (const { seq, event } of rows) {
        const leaf = leafAt.get(seq) as { id: string; hash: Buffer } | undefined;
        if (!leaf || leaf.id !== event.id || !leaf.hash.equals(leafHash(leafBytes(event)))) {
          throw new Error(`the record for seq ${seq} (event ${event.id}) is not the one the ledger recorded there; nothing was restored`);
        }
        const day = partitionDay(event.timestamp);
        let insert = inserts.get(day);
        if (!insert) {
          const table = createPartition(this.db, day);
          insert = this.db.prepare(`INSERT OR IGNORE INTO ${table} (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
          inserts.set(day, insert);
        }
        if (insert.run(seq, ...columnValues(event)).changes === 0) continue;
        if (event.message) this.statements.insertText.run(seq, event.message);
        restored += 1;
        touched.widen(day, event.timestamp);
      }
      this.notePartitions(touched);
    })();
    this.inserts.clear();
    return restored;
  }

  async quarantine(items: readonly QuarantineItem[]): Promise<void> {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const item of items) {
        this.statements.insertQuarantine.run(item.source, item.position, item.reason, item.sample, item.receivedAt);
      }
    })();
  }

  async listQuarantine(limit: number): Promise<StoredQuarantineItem[]> {
    const rows = this.db
      .prepare('SELECT seq, source, position, reason, sample, received_at AS receivedAt FROM quarantine ORDER BY seq DESC LIMIT ?')
      .all(limit) as StoredQuarantineItem[];
    return rows.reverse();
  }

  async query(text: string, range: TimeRange, defaultLimit?: number): Promise<QueryRows> {
    const from = this.fromClause(range);
    const compiled = compileQuery(text, { dialect: sqliteDialect, from: from ?? emptyFrom(), fts: 'events_fts', range, defaultLimit });
    const rows = this.db.prepare(compiled.sql).all(...compiled.params) as Record<string, unknown>[];
    return { columns: compiled.columns, rows, shape: compiled.shape };
  }

  /**
   * A query over the hot partitions and further tables of event rows (archived events loaded into
   * an attached scratch database). Free text then matches by substring (LIKE), as the hot
   * full-text index does not cover those tables.
   */
  async queryIncluding(text: string, range: TimeRange, extraTables: readonly string[], defaultLimit?: number): Promise<QueryRows> {
    const tables = [...this.partitionTables(range), ...extraTables];
    const from = tables.length === 0 ? emptyFrom() : tables.length === 1 ? tables[0] : `(${tables.map((table) => `SELECT * FROM ${table}`).join(' UNION ALL ')})`;
    const compiled = compileQuery(text, { dialect: sqliteDialect, from, range, defaultLimit });
    const rows = this.db.prepare(compiled.sql).all(...compiled.params) as Record<string, unknown>[];
    return { columns: compiled.columns, rows, shape: compiled.shape };
  }

  /** The partitions that can hold events of the range, as one table expression. */
  private fromClause(range: TimeRange): string | undefined {
    const tables = this.partitionTables(range);
    if (tables.length === 0) return undefined;
    if (tables.length === 1) return tables[0];
    return `(${tables.map((table) => `SELECT * FROM ${table}`).join(' UNION ALL ')})`;
  }

  private partitionTables(range: TimeRange): string[] {
    return this.db
      .prepare('SELECT table_name FROM partitions WHERE max_ts >= ? AND min_ts < ? ORDER BY day')
      .pluck()
      .all(range.since ?? Number.MIN_SAFE_INTEGER, range.until ?? Number.MAX_SAFE_INTEGER) as string[];
  }

  async close(): Promise<void> {
    // Folds the WAL into the database file and fsyncs it, so a batch run is durable when it reports.
    if (!this.db.readonly) this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

/** A table expression with the partition columns and no rows, for queries over an empty range. */
function emptyFrom(): string {
  return `(SELECT ${EVENT_COLUMNS.map((column) => `NULL AS ${column}`).join(', ')} WHERE 0)`;
}

/** The values of an event's partition columns after `seq`, in EVENT_COLUMNS order. */
export function columnValues(event: VigilEvent): unknown[] {
  const values: unknown[] = [];
  for (const field of FIELDS) {
    const value = field.get(event);
    values.push(Array.isArray(value) ? JSON.stringify(value) : (value ?? null));
  }
  values.push(event.record);
  return values;
}
