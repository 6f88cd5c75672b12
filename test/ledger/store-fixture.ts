import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilEvent } from '../../src/model/event.js';
import { k8sAuditSource } from '../../src/sources/k8s-audit.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** For the ledger's unit tests: a real SQLite store in a temporary directory, and audit events to put in it. */

export function tempStore(): { dataDir: string; store: SqliteStore } {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'vigil-ledger-unit-')), 'data');
  return { dataDir, store: SqliteStore.open(dataDir) };
}

/** An audit event as the k8s-audit source decodes it, `index` making it unique; `day` offsets its time by whole days. */
export function auditEvent(index: number, options: { day?: number; user?: string; verb?: string } = {}): VigilEvent {
  const time = new Date(Date.UTC(2026, 0, 10 + (options.day ?? 0), 12, 0, 0, index % 1000)).toISOString();
  const raw = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `audit-${index}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/team-${index % 3}/pods`,
    verb: options.verb ?? (index % 2 === 0 ? 'get' : 'list'),
    user: { username: options.user ?? `user-${index % 5}`, groups: ['system:authenticated'] },
    sourceIPs: ['10.0.0.7'],
    objectRef: { resource: 'pods', namespace: `team-${index % 3}` },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
  const text = JSON.stringify(raw);
  const [event] = k8sAuditSource.decode(JSON.parse(text), text, { cluster: 'unit' }).events;
  return event;
}
