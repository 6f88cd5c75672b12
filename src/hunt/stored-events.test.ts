import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../model/event.js';
import { FIELDS } from '../model/fields.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { pageQuery, readStoredEvents, storedTimeSpan } from './stored-events.js';

const MIDNIGHT = Date.parse('2026-03-03T00:00:00Z');

function auditEvent(n: number, offsetMs: number, extra: Record<string, unknown> = {}): VigilEvent {
  const raw = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    auditID: `audit-${n}`,
    stage: 'ResponseComplete',
    verb: n % 2 === 0 ? 'get' : 'delete',
    requestURI: `/api/v1/namespaces/shop/pods/web-${n}`,
    user: { username: 'alice@example.com', groups: ['system:authenticated', 'developers'] },
    sourceIPs: ['10.0.0.7'],
    userAgent: 'kubectl/v1.29.2',
    objectRef: { resource: 'pods', namespace: 'shop', name: `web-${n}`, apiVersion: 'v1' },
    responseStatus: { code: n % 3 === 0 ? 403 : 200, reason: n % 3 === 0 ? 'Forbidden' : undefined },
    annotations: { 'authorization.k8s.io/decision': n % 3 === 0 ? 'forbid' : 'allow' },
    requestReceivedTimestamp: new Date(MIDNIGHT + offsetMs).toISOString(),
    ...extra,
  };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'prod');
}

/** Arrival order deliberately not time order: late events, ties, and a day boundary. */
const ARRIVALS = [
  auditEvent(1, 5_000),
  auditEvent(2, -60_000),
  auditEvent(3, 5_000),
  auditEvent(4, -120_000, { impersonatedUser: { username: 'bob' } }),
  auditEvent(5, 0),
  auditEvent(6, 5_000),
  auditEvent(7, 90_000),
  auditEvent(8, -60_000),
];
/** Time order, ties in arrival order. */
const IN_TIME_ORDER = ARRIVALS.map((event, arrival) => ({ event, arrival }))
  .sort((a, b) => a.event.timestamp - b.event.timestamp || a.arrival - b.arrival)
  .map(({ event }) => event);

let dir: string;
let store: SqliteStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-hunt-'));
  store = SqliteStore.open(dir);
  await store.append(ARRIVALS.slice(0, 3));
  await store.append(ARRIVALS.slice(3));
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function read(range: { since?: number; until?: number }, pageSize: number): Promise<VigilEvent[]> {
  const events: VigilEvent[] = [];
  for await (const page of readStoredEvents(store.db, range, { pageSize })) {
    expect(page.length).toBeLessThanOrEqual(pageSize);
    events.push(...page);
  }
  return events;
}

describe('readStoredEvents', () => {
  it('streams every stored event in time order across day partitions, ties in arrival order, whatever the page size', async () => {
    for (const pageSize of [1, 2, 3, 100]) {
      expect((await read({}, pageSize)).map((e) => e.id)).toEqual(IN_TIME_ORDER.map((e) => e.id));
    }
  });

  it('keeps to the range: since inclusive, until exclusive', async () => {
    const events = await read({ since: MIDNIGHT - 60_000, until: MIDNIGHT + 5_000 }, 2);
    expect(events.map((e) => e.id)).toEqual(IN_TIME_ORDER.filter((e) => e.timestamp >= MIDNIGHT - 60_000 && e.timestamp < MIDNIGHT + 5_000).map((e) => e.id));
    expect(events).toHaveLength(3);
  });

  it('gives back each event as it was stored: every normalized field and the original record', async () => {
    const byId = new Map(ARRIVALS.map((event) => [event.id, event]));
    for (const stored of await read({}, 3)) {
      const original = byId.get(stored.id) as VigilEvent;
      for (const field of FIELDS) expect(field.get(stored), field.name).toEqual(field.get(original));
      expect(stored.raw).toEqual(original.raw);
      expect(stored.record).toBe(original.record);
    }
  });

  it('reports the stored span of a range for progress', () => {
    expect(storedTimeSpan(store.db, {})).toEqual({ from: MIDNIGHT - 120_000, to: MIDNIGHT + 90_000 });
    expect(storedTimeSpan(store.db, { since: MIDNIGHT, until: MIDNIGHT + 10_000 })).toEqual({ from: MIDNIGHT, to: MIDNIGHT + 9_999 });
    expect(storedTimeSpan(store.db, { since: MIDNIGHT + 100_000 })).toBeUndefined();
  });

  it('uses the time index to page (no sort of the whole partition)', () => {
    const table = (store.db.prepare('SELECT table_name FROM partitions ORDER BY day').pluck().all() as string[])[0];
    const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${pageQuery(table)}`).all(0, 0, 0, 1) as Array<{ detail: string }>;
    const details = plan.map((step) => step.detail).join('; ');
    expect(details).toMatch(/USING INDEX \w+_ts \(ts/);
    expect(details).not.toMatch(/TEMP B-TREE/);
  });
});
