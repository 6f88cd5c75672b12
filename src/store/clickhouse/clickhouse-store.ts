import { isDeepStrictEqual } from 'node:util';
import { leafBytes } from '../../ledger/leaf.js';
import { type MerkleFrontier, leafHash } from '../../ledger/merkle.js';
import type { VigilEvent } from '../../model/event.js';
import { variantEventId } from '../../model/event-id.js';
import { compileQuery } from '../../query/index.js';
import { clickhouseDialect, clickhouseLiteral } from '../../query/clickhouse-dialect.js';
import type { AppendResult, QuarantineItem, QueryRows, Store, StoredQuarantineItem, TimeRange } from '../store.js';
import { ClickHouseConnection } from './connection.js';
import { loadFrontier, saveFrontier } from './ledger-log.js';
import { EVENT_COLUMNS, eventResultRow, eventRow, partitionDay, schemaStatements } from './schema.js';
import { StateTable } from './state.js';
import { parseClickHouseUrl } from './url.js';

export interface ClickHouseStoreOptions {
  /** The Merkle log this store appends to (default `main`); a scale-out worker opens one store per partition: `p0`, `p1`, … One writer per log at a time. */
  log?: string;
  /** Called after each day's rows are durably inserted, before the next day's INSERT starts (progress, metrics, fault tests). */
  onPartitionWritten?: (day: number, rows: number) => void | Promise<void>;
}

/** One stored leaf as a verifier reads it. */
export interface ClickHouseLeaf {
  seq: number;
  leafHash: Buffer;
  id: string;
  source: string;
  cluster: string;
  record: string;
}

const LOG_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Ids per dedup lookup query. */
const LOOKUP_CHUNK = 10_000;
const QUARANTINE_COLUMNS = 'seq, source, position, reason, sample, received_at AS receivedAt';

/**
 * The scale-out store: ClickHouse over HTTP. Queries read every log of the database; appends go
 * to this store's own log. Errors are ClickHouseStoreError with `retryable` set (see errors.ts).
 */
export class ClickHouseStore implements Store {
  private frontier: MerkleFrontier;
  /** Set when an append failed part-way: what is stored is known only after reading it back. */
  private frontierStale = false;
  private quarantineSeq = 0;

  private constructor(
    /** The store's database, for the ledger's own tables (checkpoints, verify scans); the events table is the store's to write. */
    readonly connection: ClickHouseConnection,
    private readonly state: StateTable,
    readonly log: string,
    frontier: MerkleFrontier,
    private readonly onPartitionWritten: ClickHouseStoreOptions['onPartitionWritten'],
  ) {
    this.frontier = frontier;
  }

  /** Connects, creates the database and tables when missing and rebuilds the log's ledger frontier. */
  static async open(url: string, options: ClickHouseStoreOptions = {}): Promise<ClickHouseStore> {
    const log = options.log ?? 'main';
    if (!LOG_NAME.test(log)) throw new Error(`invalid ledger log name "${log}": use 1-64 letters, digits, '.', '_' or '-', e.g. p0`);
    const connection = await ClickHouseConnection.open(parseClickHouseUrl(url));
    try {
      for (const statement of schemaStatements()) await connection.command(statement, 'creating the store tables');
      const state = new StateTable(connection);
      const frontier = await loadFrontier(connection, state, log);
      return new ClickHouseStore(connection, state, log, frontier, options.onPartitionWritten);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Ledger size of this store's log: the number of records appended to it (leaf index of the next one). */
  get treeSize(): number {
    return this.frontier.size;
  }

  root(): Buffer {
    return this.frontier.root();
  }

  /** A copy of the log's frontier as appended so far: size, root and peaks of one moment, for signing a checkpoint. */
  frontierSnapshot(): MerkleFrontier {
    return this.frontier.clone();
  }

  /**
   * Stores the new events of a batch under the next seqs of the log.
   *
   * Crash safety without transactions: the accepted events are grouped by day partition and
   * numbered group after group, so each group holds one contiguous seq range, and the groups are
   * inserted one after the other, each as one INSERT (one partition: one part, atomic; even a
   * group larger than a block is written block by block in order). Whatever a crash leaves
   * stored is therefore a prefix of the seqs this append assigned. Whoever appends next (this
   * store after a failure, or a new writer after reopening) first reads that prefix back into
   * the frontier, so the next seq follows it; and a redelivered batch finds the stored events by
   * id and appends only the rest. Every event ends up stored once, with seqs that have no gaps.
   */
  async append(batch: readonly VigilEvent[]): Promise<AppendResult> {
    if (this.frontierStale) {
      this.frontier = await loadFrontier(this.connection, this.state, this.log);
      this.frontierStale = false;
    }
    const accepted = await this.newEvents(batch);
    const groups = groupByDay(accepted);
    const acceptedEvents: VigilEvent[] = [];
    try {
      for (const [day, events] of groups) {
        const first = this.frontier.size;
        const hashes = events.map((event) => leafHash(leafBytes(event)));
        const rows = events.map((event, i) => eventRow(this.log, first + i, hashes[i], event));
        await this.connection.insert('events', rows, `inserting ${rows.length} events of day ${day} (log "${this.log}", seq ${first}…${first + rows.length - 1})`);
        for (const hash of hashes) this.frontier.append(hash);
        acceptedEvents.push(...events);
        await this.onPartitionWritten?.(day, rows.length);
      }
      if (acceptedEvents.length > 0) await saveFrontier(this.state, this.log, this.frontier);
    } catch (error) {
      // An INSERT whose answer was lost may still have landed: re-read before the next append.
      this.frontierStale = true;
      throw error;
    }
    return { accepted: acceptedEvents.length, acceptedEvents, duplicates: batch.length - acceptedEvents.length, treeSize: this.frontier.size };
  }

  /**
   * The events of the batch that are not stored yet, in batch order, with SQLite's rules: an id
   * already taken by the same record is a retry; by a different record, the newcomer is kept
   * under its content-derived variant id unless that is taken too.
   */
  private async newEvents(batch: readonly VigilEvent[]): Promise<VigilEvent[]> {
    const stored = await this.storedRecords(batch.map((event) => ({ id: event.id, timestamp: event.timestamp })));
    const seenInBatch = new Set<string>();
    const clashing = batch.filter((event) => {
      const clash = stored.has(event.id) || seenInBatch.has(event.id);
      seenInBatch.add(event.id);
      return clash;
    });
    const variants = clashing.map((event) => ({ ...event, id: variantEventId(event.timestamp, event.cluster, event.source, event.dedupKey, event.record) }));
    for (const [id, record] of await this.storedRecords(variants)) stored.set(id, record);
    const variantById = new Map(clashing.map((event, i) => [event, variants[i]]));
    const claimed = stored;
    const fresh: VigilEvent[] = [];
    for (const event of batch) {
      const holder = claimed.get(event.id);
      if (holder === undefined) {
        claimed.set(event.id, event.record);
        fresh.push(event);
      } else if (!sameRecord(holder, event)) {
        const variant = variantById.get(event) as VigilEvent;
        if (!claimed.has(variant.id)) {
          claimed.set(variant.id, event.record);
          fresh.push(variant);
        }
      }
    }
    return fresh;
  }

  /** Records stored in this log under any of the ids; lookups are per day partition, in chunks. */
  private async storedRecords(keys: ReadonlyArray<{ id: string; timestamp: number }>): Promise<Map<string, string>> {
    const byDay = new Map<number, string[]>();
    for (const { id, timestamp } of keys) {
      const day = partitionDay(timestamp);
      const ids = byDay.get(day);
      if (ids) ids.push(id);
      else byDay.set(day, [id]);
    }
    const found = new Map<string, string>();
    for (const [day, ids] of byDay) {
      const unique = [...new Set(ids)];
      for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
        const chunk = unique.slice(start, start + LOOKUP_CHUNK);
        const rows = await this.connection.rows<{ id: string; record: string }>(
          `SELECT id, any(record) AS record FROM events WHERE day = ${day} AND log = ${clickhouseLiteral(this.log)} AND id IN (${chunk.map(clickhouseLiteral).join(', ')}) GROUP BY id`,
          `looking up ${chunk.length} event ids of day ${day} (log "${this.log}")`,
          { largeQuery: true },
        );
        for (const row of rows) found.set(row.id, row.record);
      }
    }
    return found;
  }

  async quarantine(items: readonly QuarantineItem[]): Promise<void> {
    if (items.length === 0) return;
    const rows = items.map((item) => ({
      log: this.log,
      seq: this.nextQuarantineSeq(),
      source: item.source,
      position: item.position,
      reason: item.reason,
      sample: item.sample,
      received_at: item.receivedAt,
    }));
    await this.connection.insert('quarantine', rows, `quarantining ${rows.length} records`);
  }

  /** The newest `limit` quarantined records of every log, oldest first. */
  async listQuarantine(limit: number): Promise<StoredQuarantineItem[]> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`listQuarantine needs a whole number limit, got ${limit}`);
    const rows = await this.connection.rows<StoredQuarantineItem>(
      `SELECT ${QUARANTINE_COLUMNS} FROM quarantine ORDER BY seq DESC LIMIT ${limit}`,
      'listing quarantined records',
    );
    return rows.reverse();
  }

  /** Quarantine seqs order records by arrival across writers: a microsecond clock, never repeating within this process. */
  private nextQuarantineSeq(): number {
    this.quarantineSeq = Math.max(Date.now() * 1000, this.quarantineSeq + 1);
    return this.quarantineSeq;
  }

  async query(text: string, range: TimeRange, defaultLimit?: number): Promise<QueryRows> {
    // The raw-path arrays are the bulk of a row: read them only when the query addresses a path.
    let compiled = compileQuery(text, { dialect: clickhouseDialect, from: eventsSource(range, false), range, defaultLimit });
    if (compiled.sql.includes('.json_')) {
      compiled = compileQuery(text, { dialect: clickhouseDialect, from: eventsSource(range, true), range, defaultLimit });
    }
    const rows = await this.connection.rows<Record<string, unknown>>(compiled.sql, `running query ${JSON.stringify(text)}`);
    const fullEvents = compiled.shape === 'events' && compiled.columns.length === 0;
    return { columns: compiled.columns, rows: fullEvents ? rows.map(eventResultRow) : rows, shape: compiled.shape };
  }

  /** Small per-writer state (a detector's window snapshot); undefined when never saved. */
  async loadState(key: string): Promise<string | undefined> {
    return this.state.read(`user/${key}`);
  }

  async saveState(key: string, value: string): Promise<void> {
    await this.state.write(`user/${key}`, value);
  }

  /** Day partitions holding events (of any log), oldest first, as `YYYYMMDD` numbers. */
  async listPartitions(): Promise<number[]> {
    const rows = await this.connection.rows<{ partition: string }>(
      `SELECT DISTINCT partition FROM system.parts WHERE database = ${clickhouseLiteral(this.connection.location.database)} AND table = 'events' AND active ORDER BY partition`,
      'listing event partitions',
    );
    return rows.map((row) => Number(row.partition));
  }

  /**
   * Retention: drops every day partition wholly before the cutoff (all logs). The ledger
   * frontiers stay as saved, so appends continue; declaring the expired range is the caller's job.
   * Returns the dropped days.
   */
  async dropPartitionsBefore(cutoff: number): Promise<number[]> {
    const cutoffDay = partitionDay(cutoff);
    const dropped = (await this.listPartitions()).filter((day) => day < cutoffDay);
    for (const day of dropped) await this.connection.command(`ALTER TABLE events DROP PARTITION ${day}`, `dropping partition ${day} of events`);
    return dropped;
  }

  /** This log's leaves in seq order, read in bounded chunks: what a verifier recomputes. */
  async *leaves(fromSeq = 0, chunk = 10_000): AsyncGenerator<ClickHouseLeaf> {
    for (let from = fromSeq; ; ) {
      const rows = await this.connection.rows<{ seq: number; leaf_hash: string; id: string; source: string; cluster: string; record: string }>(
        `SELECT seq, leaf_hash, id, source, cluster, record FROM events WHERE log = ${clickhouseLiteral(this.log)} AND seq >= ${from} ORDER BY seq LIMIT ${chunk}`,
        `reading ledger leaves of log "${this.log}" from seq ${from}`,
      );
      for (const row of rows) yield { seq: row.seq, leafHash: Buffer.from(row.leaf_hash, 'hex'), id: row.id, source: row.source, cluster: row.cluster, record: row.record };
      if (rows.length < chunk) return;
      from = rows[rows.length - 1].seq + 1;
    }
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** The events of the batch by day, days in order of first appearance, events in batch order. */
function groupByDay(events: readonly VigilEvent[]): Map<number, VigilEvent[]> {
  const groups = new Map<number, VigilEvent[]>();
  for (const event of events) {
    const day = partitionDay(event.timestamp);
    const group = groups.get(day);
    if (group) group.push(event);
    else groups.set(day, [event]);
  }
  return groups;
}

function sameRecord(stored: string, event: VigilEvent): boolean {
  return stored === event.record || isDeepStrictEqual(JSON.parse(stored), event.raw);
}

/** The event rows of a time range, pruned to its day partitions; with the raw-path arrays when a query needs them. */
function eventsSource(range: TimeRange, withPaths: boolean): string {
  const columns = withPaths ? [...EVENT_COLUMNS, 'json_keys', 'json_types', 'json_values'] : EVENT_COLUMNS;
  const days: string[] = [];
  if (range.since !== undefined) days.push(`day >= ${partitionDay(range.since)}`);
  if (range.until !== undefined) days.push(`day <= ${partitionDay(range.until)}`);
  const where = days.length === 0 ? '' : ` WHERE ${days.join(' AND ')}`;
  return `(SELECT ${columns.join(', ')} FROM events${where})`;
}
