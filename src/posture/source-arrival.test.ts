import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { compileRule } from '../detect/rule.js';
import { ruleSpecSchema } from '../detect/rule-schema.js';
import { DataDirError, readSourceArrivals, silenceLimits, sourceFindings } from './source-arrival.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
let dataDir: string;

function audit(cluster: string, at: number, auditId: string): VigilEvent {
  const raw = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: auditId, stage: 'ResponseComplete', verb: 'get', requestReceivedTimestamp: new Date(at).toISOString() };
  return normalizeAuditEvent(raw, JSON.stringify(raw), cluster);
}

function containerLine(cluster: string, at: number, n: number): VigilEvent {
  const raw = { log: `line ${n}` };
  return {
    id: eventId(at, cluster, 'container', `c${n}`),
    timestamp: at,
    source: 'container',
    cluster,
    dedupKey: `c${n}`,
    kind: 'event',
    outcome: 'unknown',
    hostName: 'worker-1',
    message: `line ${n}`,
    raw,
    record: JSON.stringify(raw),
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-posture-'));
  const store = SqliteStore.open(dataDir);
  await store.append([
    audit('prod', NOW - 3 * DAY, 'a1'),
    audit('prod', NOW - 2 * 60_000, 'a2'),
    audit('staging', NOW - 2 * DAY, 'a3'),
    containerLine('prod', NOW - 5 * DAY, 1),
    containerLine('prod', NOW - 4 * DAY, 2),
  ]);
  await store.close();
});

describe('readSourceArrivals', () => {
  it('finds the newest event of each source and cluster across day partitions', () => {
    expect(readSourceArrivals(dataDir)).toEqual([
      { cluster: 'prod', source: 'container', lastSeen: NOW - 4 * DAY },
      { cluster: 'prod', source: 'k8s.audit', lastSeen: NOW - 2 * 60_000 },
      { cluster: 'staging', source: 'k8s.audit', lastSeen: NOW - 2 * DAY },
    ]);
  });

  it('refuses a directory without a store, saying what it expected', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vigil-posture-empty-'));
    expect(() => readSourceArrivals(empty)).toThrow(DataDirError);
    expect(() => readSourceArrivals(empty)).toThrow(/no Vigil store here \(expected .*vigil\.db\)/);
  });
});

describe('sourceFindings', () => {
  const limits = new Map([
    ['k8s.audit', 15 * 60_000],
    ['container', 30 * 60_000],
  ]);

  it('reports sources quiet beyond their limit, audit ones as high', () => {
    const findings = sourceFindings(readSourceArrivals(dataDir), limits, NOW, dataDir);
    expect(findings.map((finding) => [finding.id, finding.severity, finding.subject])).toEqual([
      ['source-silent', 'medium', 'prod/container'],
      ['source-silent', 'high', 'staging/k8s.audit'],
    ]);
    expect(findings[1].evidence[0]).toBe('newest k8s.audit event 2026-03-08T12:00:00.000Z, 2d ago (limit 15m)');
  });

  it('reports missing audit and container sources', () => {
    const findings = sourceFindings([{ cluster: 'prod', source: 'k8s.event', lastSeen: NOW }], limits, NOW, dataDir);
    expect(findings.map((finding) => [finding.id, finding.severity, finding.subject])).toEqual([
      ['source-never-seen', 'high', 'k8s.audit'],
      ['source-never-seen', 'medium', 'container'],
    ]);
  });

  it('is silent about sources that keep arriving', () => {
    expect(sourceFindings([{ cluster: 'prod', source: 'k8s.audit', lastSeen: NOW - 60_000 }, { cluster: 'prod', source: 'container', lastSeen: NOW }], limits, NOW, dataDir)).toEqual([]);
  });
});

describe('silenceLimits', () => {
  it('takes the shortest limit of the absence rules that watch a whole source', () => {
    const absence = (id: string, source: string, after: string, match?: unknown) =>
      compileRule(
        ruleSpecSchema.parse({ id, title: id, description: 'd', severity: 'high', source, absence: { after }, match, ...(match === undefined ? {} : { group_by: ['user.name'] }) }),
        new Map(),
        'test.yaml',
      );
    const limits = silenceLimits([
      absence('a', 'k8s.audit', '15m'),
      absence('b', 'k8s.audit', '1h'),
      absence('heartbeat', 'k8s.audit', '5m', { actor: 'node' }),
      absence('c', 'container', '30m'),
    ]);
    expect(Object.fromEntries(limits)).toEqual({ 'k8s.audit': 15 * 60_000, container: 30 * 60_000 });
  });
});
