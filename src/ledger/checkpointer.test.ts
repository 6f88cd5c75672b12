import { cpSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditEvent, tempStore } from '../../test/ledger/store-fixture.js';
import { CheckpointTable } from '../store/sqlite/ledger-checkpoints.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { type CheckpointOutcome, Checkpointer } from './checkpointer.js';
import { loadLogSigningKey } from './ledger-identity.js';
import { DirectoryWitness, WitnessRollbackError } from './witness.js';

const witnessDir = () => mkdtempSync(join(tmpdir(), 'vigil-witness-'));

async function setUp(witnesses: string[] = []) {
  const { dataDir, store } = tempStore();
  const key = await loadLogSigningKey(store.db, dataDir);
  return { dataDir, store, key, checkpointer: new Checkpointer(store.db, key, witnesses) };
}

describe('Checkpointer', () => {
  it('signs only when the tree grew, and keeps the frontier with each checkpoint', async () => {
    const { store, key, checkpointer } = await setUp();
    expect((await checkpointer.checkpoint()).latest).toBeUndefined();
    store.appendSync([auditEvent(0), auditEvent(1)]);
    const first = await checkpointer.checkpoint();
    expect(first).toMatchObject({ signed: true, latest: { size: 2 } });
    expect(verifyCheckpoint(first.latest?.note ?? '', key).root.equals(store.root)).toBe(true);
    expect((await checkpointer.checkpoint()).signed).toBe(false);
    store.appendSync([auditEvent(2)]);
    expect((await checkpointer.checkpoint()).latest?.size).toBe(3);
    expect([...new CheckpointTable(store.db).ascending()].map((row) => row.size)).toEqual([2, 3]);
  });

  it('copies each checkpoint to every witness with the consistency proof from the size it holds', async () => {
    const dirs = [witnessDir(), witnessDir()];
    const { store, key, checkpointer } = await setUp(dirs);
    for (let batch = 0; batch < 5; batch++) {
      store.appendSync(Array.from({ length: 37 }, (_, i) => auditEvent(batch * 37 + i)));
      const outcome = await checkpointer.checkpoint();
      expect(outcome.witnesses.map((w) => w.status)).toEqual(['accepted', 'accepted']);
    }
    for (const dir of dirs) expect((await new DirectoryWitness(dir, key).latest())?.checkpoint.size).toBe(185);
    expect((await checkpointer.checkpoint()).witnesses.map((w) => w.status)).toEqual(['unchanged', 'unchanged']);
  });

  it('reports a witness that refuses an older copy of the store, and one that is not there', async () => {
    const dir = witnessDir();
    const { dataDir, store, checkpointer } = await setUp([dir]);
    store.appendSync([auditEvent(0)]);
    await checkpointer.checkpoint();
    await store.close();
    const older = join(mkdtempSync(join(tmpdir(), 'vigil-older-')), 'data');
    cpSync(dataDir, older, { recursive: true });
    const reopened = SqliteStore.open(dataDir);
    reopened.appendSync([auditEvent(1), auditEvent(2)]);
    const key = await loadLogSigningKey(reopened.db, dataDir);
    await new Checkpointer(reopened.db, key, [dir]).checkpoint();

    const restored = SqliteStore.open(older);
    restored.appendSync([auditEvent(3)]);
    const missing = join(dir, 'not-mounted');
    const outcome: CheckpointOutcome = await new Checkpointer(restored.db, key, [dir, missing]).checkpoint();
    expect(outcome.witnesses[0]).toMatchObject({ dir, status: 'rejected', error: expect.any(WitnessRollbackError) });
    expect(outcome.witnesses[1]).toMatchObject({ dir: missing, status: 'unreachable', error: expect.objectContaining({ message: expect.stringMatching(/does not exist/) }) });
    expect(outcome.latest?.size).toBe(2);
  });

  it('signs from a timer while records arrive and stops cleanly', async () => {
    const { store, checkpointer } = await setUp();
    const outcomes: CheckpointOutcome[] = [];
    const ticker = checkpointer.startTicker(5, (outcome) => outcomes.push(outcome), (error) => {
      throw error;
    });
    store.appendSync([auditEvent(0)]);
    while (!outcomes.some((o) => o.signed)) await new Promise((resolve) => setTimeout(resolve, 5));
    await ticker.stop();
    expect(parseCheckpoint(outcomes.find((o) => o.signed)?.latest?.note ?? '').size).toBe(1);
  });
});

describe('the signing key', () => {
  it('is created in the data directory on first use and refused when another key is named later', async () => {
    const { dataDir, store, key } = await setUp();
    expect((await loadLogSigningKey(store.db, dataDir)).keyId).toEqual(key.keyId);
    expect(statSync(join(dataDir, 'ledger.key')).mode & 0o777).toBe(0o600);
    const other = await setUp();
    await expect(loadLogSigningKey(store.db, dataDir, join(other.dataDir, 'ledger.key'))).rejects.toThrow(/is not the key this data directory signs with/);
    await expect(loadLogSigningKey(store.db, dataDir, join(dataDir, 'typo.key'))).rejects.toThrow(/does not exist; create one with: openssl genpkey/);
  });
});
