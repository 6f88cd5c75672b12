import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCatalogSegments } from '../store/sqlite/archive-catalog.js';
import { EVENT_COLUMNS, partitionColumns } from '../store/sqlite/schema.js';
import { type SqliteStore, columnValues } from '../store/sqlite/sqlite-store.js';
import type { QueryRows, TimeRange } from '../store/store.js';
import { type ArchivedRecord, readArchivedRecords } from './read-archive.js';

/**
 * `vigil query --include-archive`: the archived events of the time range, from every archive the
 * catalog names (segments restored into the hot store are skipped, they are hot again), are
 * streamed into a scratch database on disk, attached beside the hot store, and the query runs
 * over both at once, so filters, `stats`, `sort` and `head` see one set of events. Memory stays
 * bounded by batches; the scratch file is removed afterwards.
 */

const SCRATCH_SCHEMA = 'archived_scratch';
const BATCH = 2000;

export interface ArchiveQueryOptions {
  s3Endpoint?: string;
  defaultLimit?: number;
}

export async function queryWithArchive(store: SqliteStore, text: string, range: TimeRange, options: ArchiveQueryOptions = {}): Promise<QueryRows> {
  const segments = listCatalogSegments(store.db);
  const targets = new Set(segments.map((s) => s.target));
  const dir = await mkdtemp(join(tmpdir(), 'vigil-archive-query-'));
  store.db.prepare(`ATTACH DATABASE ? AS ${SCRATCH_SCHEMA}`).run(join(dir, 'archived.db'));
  try {
    store.db.exec(`CREATE TABLE ${SCRATCH_SCHEMA}.events (${partitionColumns()})`);
    const insert = store.db.prepare(`INSERT OR IGNORE INTO ${SCRATCH_SCHEMA}.events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
    const flush = store.db.transaction((batch: ArchivedRecord[]) => {
      for (const { seq, event } of batch) insert.run(seq, ...columnValues(event));
    });
    for (const target of targets) {
      const skipSegments = new Set(segments.filter((s) => s.target === target && s.restoredBy !== null).map((s) => s.name));
      let batch: ArchivedRecord[] = [];
      for await (const record of readArchivedRecords(target, range, { skipSegments, s3Endpoint: options.s3Endpoint })) {
        batch.push(record);
        if (batch.length >= BATCH) {
          flush(batch);
          batch = [];
        }
      }
      flush(batch);
    }
    return await store.queryIncluding(text, range, [`${SCRATCH_SCHEMA}.events`], options.defaultLimit);
  } finally {
    store.db.exec(`DETACH DATABASE ${SCRATCH_SCHEMA}`);
    await rm(dir, { recursive: true, force: true });
  }
}
