import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MerkleFrontier } from '../../ledger/merkle.js';
import { normalizeAuditEvent } from '../../model/k8s-audit.js';
import { storeContract } from '../store-contract.js';
import { SqliteStore } from './sqlite-store.js';

storeContract('SQLite', async () => SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-sqlite-'))));

function event(auditID: string) {
  const raw = { kind: 'Event', auditID, stage: 'ResponseComplete', verb: 'get', user: { username: 'u' }, requestReceivedTimestamp: '2026-03-01T10:00:00Z' };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'c');
}

describe('SQLite ledger with two writers on one data dir', () => {
  it('keeps one gap-free leaf sequence and a frontier that matches the stored leaves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
    const server = SqliteStore.open(dir);
    const batchRun = SqliteStore.open(dir);
    await server.append([event('a'), event('b')]);
    await batchRun.append([event('c')]);
    await server.append([event('d')]);
    expect(server.treeSize).toBe(4);
    expect(batchRun.treeSize).toBe(4);
    const leaves = server.db.prepare('SELECT seq, hash FROM leaves ORDER BY seq').all() as Array<{ seq: number; hash: Buffer }>;
    expect(leaves.map((leaf) => leaf.seq)).toEqual([0, 1, 2, 3]);
    const rebuilt = MerkleFrontier.empty();
    for (const leaf of leaves) rebuilt.append(leaf.hash);
    expect(batchRun.root.equals(rebuilt.root())).toBe(true);
    await server.close();
    await batchRun.close();
  });

  it('forgets appends that an enclosing transaction rolled back', async () => {
    const store = SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-sqlite-')));
    await store.append([event('a')]);
    expect(() =>
      store.db.transaction(() => {
        store.appendSync([event('b')]);
        throw new Error('the enclosing work failed');
      })(),
    ).toThrow('the enclosing work failed');
    expect(store.treeSize).toBe(1);
    expect((await store.append([event('b')])).treeSize).toBe(2);
    await store.close();
  });
});

describe('SQLite partitions', () => {
  it('takes a late event for a day whose partition another connection dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
    const store = SqliteStore.open(dir);
    await store.append([event('a')]);
    const other = SqliteStore.open(dir);
    other.db.exec('DROP TABLE events_20260301');
    await other.close();
    expect((await store.append([event('late')])).accepted).toBe(1);
    expect((await store.query('auditid=late', {})).rows).toHaveLength(1);
    await store.close();
  });
});
