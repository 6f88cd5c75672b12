import { join } from 'node:path';
import { normalDay } from '../detect/scenarios/normal-day.js';
import type { VigilEvent } from '../../src/model/event.js';
import { k8sAuditSource } from '../../src/sources/k8s-audit.js';
import { decodeRecords } from '../../src/sources/read.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** Audit events of a real-shaped day, decoded as the webhook receiver decodes them. */
export function auditEvents(count: number, cluster = 'prod'): VigilEvent[] {
  const records = normalDay()
    .slice(0, count)
    .map((value, index) => {
      const text = JSON.stringify(value);
      return { ok: true as const, value: JSON.parse(text) as unknown, text, position: `day:${index + 1}` };
    });
  return decodeRecords(records, { source: k8sAuditSource, cluster }).events;
}

/** Polls until `check` returns a value (not undefined) or the deadline passes; no timing is asserted. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string | (() => string), deadlineMs = 60_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) {
      const described = typeof what === 'string' ? what : what();
      throw new Error(`gave up waiting for ${described}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface StoredRow {
  id: string;
  record: string;
}

/** Every event stored in the SQLite partition stores under `root` (`root/p<N>`), by partition. */
export async function storedByPartition(root: string, partitions: readonly number[]): Promise<Map<number, StoredRow[]>> {
  const result = new Map<number, StoredRow[]>();
  for (const partition of partitions) result.set(partition, await storedEvents(join(root, `p${partition}`)));
  return result;
}

/** Every event of an embedded data dir (none if it does not exist yet), Vigil's own admin records left out. */
export async function storedEvents(dataDir: string): Promise<StoredRow[]> {
  let store: SqliteStore;
  try {
    store = SqliteStore.open(dataDir, { readonly: true, mustExist: true });
  } catch {
    return [];
  }
  try {
    const rows = await store.query('*', {}, 1_000_000);
    return rows.rows.filter((row) => row.source !== 'vigil.admin').map((row) => ({ id: String(row.id), record: String(row.record) }));
  } finally {
    await store.close();
  }
}
