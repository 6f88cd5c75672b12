import { join } from 'node:path';
import { LedgerSession } from '../../src/ledger/ledger-session.js';
import type { VigilEvent } from '../../src/model/event.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { auditEvent } from '../ledger/store-fixture.js';

/** A store with five days of audit events (2026-01-10 … 14): days interleaved by seq, as late arrivals make them, then whole blocks. */
export async function multiDayStore(eventsPerDay = 120): Promise<{ dataDir: string; publicKey: string }> {
  const dataDir = join(tempDir('vigil-archive-'), 'data');
  const store = SqliteStore.open(dataDir);
  const batch: VigilEvent[] = [];
  const half = eventsPerDay / 2;
  for (let i = 0; i < half * 5; i++) batch.push(auditEvent(i, { day: i % 5 }));
  for (let i = half * 5; i < eventsPerDay * 5; i++) batch.push(auditEvent(i, { day: Math.floor((i - half * 5) / half) }));
  store.appendSync(batch);
  await store.close();
  const key = await vigil(['checkpoint', '--public-key', '--data-dir', dataDir]);
  if (key.code !== 0) throw new Error(key.stderr);
  return { dataDir, publicKey: key.stdout.trim() };
}

/** Runs `work` on the store with a ledger session (no witnesses) open, finishing the session only when the work succeeds. */
export async function withSession<T>(dataDir: string, work: (store: SqliteStore, session: LedgerSession) => Promise<T>): Promise<T> {
  const store = SqliteStore.open(dataDir, { mustExist: true });
  try {
    const session = await LedgerSession.open(store, { dataDir, witnessDirs: [] }, (message) => process.stderr.write(`${message}\n`));
    const result = await work(store, session);
    await session.finish();
    return result;
  } finally {
    await store.close();
  }
}

/** `--older-than` that archives the days before 2026-01-13 and keeps the 13th and 14th hot. */
export function olderThanKeepingFrom13th(now = Date.now()): string {
  return `${Math.floor((now - Date.UTC(2026, 0, 13)) / 86_400_000)}d`;
}

export async function ndjson(args: string[]): Promise<Array<Record<string, unknown>>> {
  const result = await vigil(args);
  if (result.code !== 0) throw new Error(`vigil ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
