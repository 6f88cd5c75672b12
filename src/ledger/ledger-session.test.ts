import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditEvent, tempStore } from '../../test/ledger/store-fixture.js';
import { CheckpointTable } from '../store/sqlite/ledger-checkpoints.js';
import { LedgerSession } from './ledger-session.js';

describe('LedgerSession.checkpointNow', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs at once and leaves the ticker signing what arrives later', async () => {
    vi.useFakeTimers();
    const { dataDir, store } = tempStore();
    const session = await LedgerSession.open(store, { dataDir, witnessDirs: [], intervalMs: 1000 }, (message) => {
      throw new Error(message);
    });
    session.startTicker();
    store.appendSync([auditEvent(0), auditEvent(1)]);
    expect((await session.checkpointNow()).latest?.size).toBe(2);

    store.appendSync([auditEvent(2)]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(new CheckpointTable(store.db).latest()?.size).toBe(3);
    await session.finish();
    await store.close();
  });
});
