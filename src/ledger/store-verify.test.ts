import { describe, expect, it } from 'vitest';
import { auditEvent, tempStore } from '../../test/ledger/store-fixture.js';
import { Checkpointer } from './checkpointer.js';
import { loadLogSigningKey } from './ledger-identity.js';
import { verifyStore } from './store-verify.js';

async function signedStore() {
  const { dataDir, store } = tempStore();
  store.appendSync(Array.from({ length: 30 }, (_, i) => auditEvent(i, { day: i % 3 })));
  await new Checkpointer(store.db, await loadLogSigningKey(store.db, dataDir), []).checkpoint();
  return { dataDir, store };
}

describe('verifyStore', () => {
  it('reads every partition in seq order and finds the store intact', async () => {
    const { dataDir, store } = await signedStore();
    await store.close();
    const report = await verifyStore({ dataDir, witnessDirs: [], threads: 0, chunkSize: 7 });
    expect(report).toMatchObject({ intact: true, records: 30, ledgerSize: 30, storeProblems: [], uncovered: [], checkpoints: { verified: 1 } });
    expect(report.verifierKeyFrom).toMatch(/the signing key .*ledger\.key/);
  });

  it('reports a store that never signed as intact but not signed, without needing a key', async () => {
    const { dataDir, store } = tempStore();
    store.appendSync([auditEvent(0), auditEvent(1)]);
    await store.close();
    const report = await verifyStore({ dataDir, witnessDirs: [], threads: 0 });
    expect(report).toMatchObject({ intact: true, origin: null, verifierKeyFrom: null, uncovered: [{ from: 0, to: 2 }] });
  });

  it('reports a partition table it cannot read, and counts its rows as deleted', async () => {
    const { dataDir, store } = await signedStore();
    store.db.exec('ALTER TABLE events_20260111 RENAME COLUMN user_name TO renamed');
    await store.close();
    const report = await verifyStore({ dataDir, witnessDirs: [], threads: 0 });
    expect(report.storeProblems).toEqual([expect.stringMatching(/^partition table events_20260111 cannot be read \(no such column: user_name\)/)]);
    expect(report.ranges.filter((r) => r.kind === 'deleted').map((r) => r.from)).toEqual(Array.from({ length: 10 }, (_, i) => 3 * i + 1));
    expect(report.intact).toBe(false);
  });

  it('refuses a data directory without a store', async () => {
    await expect(verifyStore({ dataDir: '/nonexistent/vigil', witnessDirs: [], threads: 0 })).rejects.toThrow(/no Vigil store in \/nonexistent\/vigil/);
  });
});
