import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../../model/k8s-audit.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { eventPage } from './event-page.js';
import { BadRequest } from './explore-input.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');

function auditEvent(n: number, at: number, verb = 'get') {
  const raw = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: `page-${n}`,
    stage: 'ResponseComplete',
    verb,
    user: { username: 'alice@example.com' },
    objectRef: { resource: 'pods', namespace: 'shop', name: `pod-${n}` },
    requestReceivedTimestamp: new Date(at).toISOString(),
    stageTimestamp: new Date(at).toISOString(),
  };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'test');
}

let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function storeWith(events: ReturnType<typeof auditEvent>[]): Promise<SqliteStore> {
  store = SqliteStore.open(mkdtempSync(join(tmpdir(), 'vigil-page-')));
  await store.append(events);
  return store;
}

/** Every page, following nextCursor; returns the auditIDs in the order shown. */
async function allPages(s: SqliteStore, filter: string, limit: number): Promise<string[]> {
  const shown: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await eventPage(s, filter, {}, limit, cursor);
    expect(page.events.length).toBeLessThanOrEqual(limit);
    shown.push(...page.events.map((event) => (event.vigil as { original: { auditID: string } }).original.auditID));
    cursor = page.nextCursor;
  } while (cursor);
  return shown;
}

describe('eventPage', () => {
  it('pages through events that share one millisecond, more of them than a page holds, each once and newest first', async () => {
    // 25 events in one millisecond between two others: ties are broken by ledger order (later first).
    const events = [auditEvent(0, T0 - 1), ...Array.from({ length: 25 }, (_, i) => auditEvent(i + 1, T0)), auditEvent(26, T0 + 1)];
    const s = await storeWith(events);
    const shown = await allPages(s, '*', 7);
    expect(shown).toEqual(['page-26', ...Array.from({ length: 25 }, (_, i) => `page-${25 - i}`), 'page-0']);
  });

  it('ends without a cursor exactly when the last event was shown', async () => {
    const s = await storeWith(Array.from({ length: 10 }, (_, i) => auditEvent(i, T0 + i)));
    const first = await eventPage(s, '*', {}, 10, undefined);
    expect(first.events).toHaveLength(10);
    expect(first.nextCursor).toBeUndefined();
    const second = await eventPage(s, '*', {}, 9, undefined);
    expect(second.nextCursor).toBeDefined();
    expect((await eventPage(s, '*', {}, 9, second.nextCursor)).events).toHaveLength(1);
  });

  it("keeps later pages stable when newer events arrive in between, even in the cursor's millisecond", async () => {
    const s = await storeWith(Array.from({ length: 6 }, (_, i) => auditEvent(i, T0)));
    const first = await eventPage(s, 'verb=get', {}, 3, undefined);
    await s.append([auditEvent(100, T0), auditEvent(101, T0 + 5)]);
    const second = await eventPage(s, 'verb=get', {}, 3, first.nextCursor);
    const ids = (page: typeof first) => page.events.map((event) => (event.vigil as { original: { auditID: string } }).original.auditID);
    expect(ids(first)).toEqual(['page-5', 'page-4', 'page-3']);
    expect(ids(second)).toEqual(['page-2', 'page-1', 'page-0']);
  });

  it('refuses a cursor it did not hand out', async () => {
    const s = await storeWith([auditEvent(0, T0)]);
    await expect(eventPage(s, '*', {}, 5, 'garbage')).rejects.toBeInstanceOf(BadRequest);
    const forged = Buffer.from(JSON.stringify({ t: 1, s: 'x', k: 0 })).toString('base64url');
    await expect(eventPage(s, '*', {}, 5, forged)).rejects.toThrow(/cursor is not one this server handed out/);
  });
});
