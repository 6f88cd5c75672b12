import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertJson } from '../../src/detect/alert.js';
import { verifierKeyText } from '../../src/ledger/checkpoint.js';
import { checkpointLog } from '../../src/ledger/clickhouse-checkpointer.js';
import { generateSigningKey } from '../../src/ledger/signing-key.js';
import type { VigilEvent } from '../../src/model/event.js';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';
import { ClickHouseAlertStore } from '../../src/store/clickhouse/alert-store.js';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { type RunningClickHouse, startClickHouse } from '../helpers/clickhouse.js';
import { tempDir, vigil } from '../helpers/cli.js';

let server: RunningClickHouse;
let url: string;
let witness: string;
const key = generateSigningKey('vigil/cli-test');

function event(i: number, user: string): VigilEvent {
  const raw = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: `cli-${i}`, stage: 'ResponseComplete', verb: 'delete', user: { username: user }, requestReceivedTimestamp: new Date(Date.UTC(2026, 2, 1, i)).toISOString() };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'prod');
}

const alert: AlertJson = {
  id: 'alert-1',
  rule: { id: 'k8s-mass-delete', title: 'Mass delete', severity: 'high', format: 'vigil' },
  techniques: ['T1485'],
  entity: { user: 'mallory', cluster: 'prod' },
  count: 3,
  firstSeen: '2026-03-01T03:00:00.000Z',
  lastSeen: '2026-03-01T05:00:00.000Z',
  summary: 'mallory deleted 3 objects',
  events: ['e3', 'e4', 'e5'],
};

/** Two partitions' logs written and signed as two workers would, and one alert. */
beforeAll(async () => {
  server = await startClickHouse();
  url = server.urlFor('cli');
  witness = tempDir('vigil-ch-cli-witness-');
  for (const [log, users] of [['p0', ['alice', 'alice', 'bob']], ['p1', ['mallory', 'mallory', 'mallory']]] as const) {
    const store = await ClickHouseStore.open(url, { log });
    await store.append(users.map((user, i) => event(log === 'p0' ? i : 3 + i, user)));
    await checkpointLog(store, key, [witness]);
    await store.close();
  }
  const alerts = await ClickHouseAlertStore.open(url);
  await alerts.upsertAlerts([alert]);
  await alerts.close();
});

afterAll(async () => {
  await server?.stop();
  if (witness) rmSync(witness, { recursive: true, force: true });
});

describe('the CLI against a ClickHouse store', () => {
  it('vigil query --store reads every partition\'s events', async () => {
    const result = await vigil(['query', 'verb=delete | stats count() by user.name | sort user.name', '--store', url, '-o', 'json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([
      { 'user.name': 'alice', 'count()': 2 },
      { 'user.name': 'bob', 'count()': 1 },
      { 'user.name': 'mallory', 'count()': 3 },
    ]);
  });

  it('vigil query --store refuses what is not a ClickHouse URL', async () => {
    const result = await vigil(['query', 'verb=delete', '--store', '/var/lib/vigil']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--data-dir/);
  });

  it('vigil alerts list and show --store read the shared alert state', async () => {
    const list = await vigil(['alerts', 'list', '--store', url, '--severity', 'high', '-o', 'json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 'alert-1', status: 'open', cluster: 'prod', count: 3 }]);
    const show = await vigil(['alerts', 'show', 'alert-1', '--store', url, '-o', 'json']);
    expect(JSON.parse(show.stdout)).toMatchObject([{ id: 'alert-1', summary: 'mallory deleted 3 objects' }]);
    const missing = await vigil(['alerts', 'show', 'nope', '--store', url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no alert with id "nope"/);
  });

  it('vigil verify --store checks every log, then only the one asked for, and fails on a tampered one', async () => {
    const all = await vigil(['verify', '--store', url, '--witness', witness, '--public-key', verifierKeyText(key), '-o', 'json']);
    expect(all.code).toBe(0);
    const report = JSON.parse(all.stdout) as { intact: boolean; logs: Array<{ log: string; intact: boolean; records: number }> };
    expect(report.logs.map(({ log, intact, records }) => ({ log, intact, records }))).toEqual([
      { log: 'p0', intact: true, records: 3 },
      { log: 'p1', intact: true, records: 3 },
    ]);
    const sql = await ClickHouseStore.open(url, { log: 'p1' });
    await sql.connection.command(`ALTER TABLE events UPDATE record = replaceAll(record, 'mallory', 'someone') WHERE log = 'p1' AND seq = 1`, 'tampering');
    for (;;) {
      const [{ pending }] = await sql.connection.rows<{ pending: number }>(`SELECT count() AS pending FROM system.mutations WHERE database = 'cli' AND is_done = 0`, 'waiting');
      if (pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await sql.close();
    const p0 = await vigil(['verify', '--store', url, '--log', 'p0']);
    expect(p0.code).toBe(0);
    expect(p0.stdout).toMatch(/=== ledger log p0[\s\S]*result: intact/);
    const p1 = await vigil(['verify', '--store', url, '--log', 'p1', '--witness', witness]);
    expect(p1.code).toBe(1);
    expect(p1.stdout).toMatch(/^1 +1 +modified/m);
    expect(p1.stdout).toMatch(/result: NOT INTACT \(1 modified range\)/);
    const unknown = await vigil(['verify', '--store', url, '--log', 'p9']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(/no log "p9" \(it has: p0, p1\)/);
  });
});
