import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../model/event.js';
import { SourceHealthRecorder } from '../../sources/health/source-health.js';
import { openDatabase } from './database.js';
import { SqliteSourceHealth } from './source-health.js';

const event = (source: VigilEvent['source'], timestamp: number, extra: Partial<VigilEvent> = {}): VigilEvent => ({
  id: `${source}-${timestamp}`,
  timestamp,
  source,
  cluster: 'prod',
  dedupKey: String(timestamp),
  kind: 'event',
  outcome: 'unknown',
  raw: {},
  record: '{}',
  ...extra,
});

describe('source health in SQLite', () => {
  it('counts per source and origin across calls and reopenings', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-health-'));
    let now = 1_000_000;
    const db = openDatabase(dataDir);
    const recorder = new SourceHealthRecorder(new SqliteSourceHealth(db), () => now);
    recorder.stored([event('net.flow', 500_000, { hostName: 'worker-1' }), event('net.flow', 400_000, { hostName: 'worker-1' }), event('k8s.audit', 900_000)]);
    now = 2_000_000;
    recorder.stored([event('net.flow', 1_900_000, { hostName: 'worker-1' }), event('cloud.aks', 1_000, { podName: 'kube-apiserver-1' })]);
    recorder.quarantined([{ source: 'auto', position: 'x:1', reason: 'malformed JSON', sample: '{', receivedAt: now }]);
    recorder.dropped({ cluster: 'prod', source: 'net.flow', origin: 'worker-1' }, 12, 'Hubble ring buffer');
    recorder.error({ cluster: 'prod', source: 'k8s.event', origin: '' }, 'watch: 403 Forbidden');
    db.close();

    const reopened = openDatabase(dataDir);
    const rows = new SqliteSourceHealth(reopened).list();
    reopened.close();
    expect(rows).toEqual([
      { cluster: '', source: 'auto', origin: '', count: 0, errors: 0, quarantined: 1, dropped: 0, lastError: 'malformed JSON' },
      { cluster: 'prod', source: 'cloud.aks', origin: 'kube-apiserver-1', firstSeen: 1_000, lastSeen: 1_000, lastReceived: 2_000_000, lagMs: 1_999_000, count: 1, errors: 0, quarantined: 0, dropped: 0 },
      { cluster: 'prod', source: 'k8s.audit', origin: '', firstSeen: 900_000, lastSeen: 900_000, lastReceived: 1_000_000, lagMs: 100_000, count: 1, errors: 0, quarantined: 0, dropped: 0 },
      { cluster: 'prod', source: 'k8s.event', origin: '', count: 0, errors: 1, quarantined: 0, dropped: 0, lastError: 'watch: 403 Forbidden' },
      {
        cluster: 'prod',
        source: 'net.flow',
        origin: 'worker-1',
        firstSeen: 400_000,
        lastSeen: 1_900_000,
        lastReceived: 2_000_000,
        lagMs: 100_000,
        count: 3,
        errors: 0,
        quarantined: 0,
        dropped: 12,
        lastError: 'Hubble ring buffer',
      },
    ]);
  });

  it('reads nothing from a database that never recorded health, even read-only', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-health-'));
    openDatabase(dataDir).close();
    const readonly = openDatabase(dataDir, { readonly: true });
    const health = new SqliteSourceHealth(readonly);
    expect(health.list()).toEqual([]);
    expect(() => health.add([])).toThrow(/read-only/);
    readonly.close();
  });
});
