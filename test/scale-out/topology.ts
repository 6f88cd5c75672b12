import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { StoredAlert } from '../../src/detect/alert-store.js';
import { generateSigningKey, saveSigningKey } from '../../src/ledger/signing-key.js';
import { ClickHouseAlertStore } from '../../src/store/clickhouse/alert-store.js';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { SqliteAlertStore } from '../../src/store/sqlite/alert-store.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { ATTACKS } from '../detect/scenarios/attacks.js';
import { type RawAuditEvent, sortByTime } from '../detect/scenarios/audit-builder.js';
import { normalDay } from '../detect/scenarios/normal-day.js';
import { type RunningClickHouse, startClickHouse } from '../helpers/clickhouse.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningNats, startNats } from '../helpers/nats.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { eventually, storedByPartition, storedEvents, type StoredRow } from './helpers.js';
import { type RunningWorker, startWorker } from './processes.js';

/**
 * The scale-out topology as processes: nats-server, `vigil serve --bus` (receivers publish), and
 * `vigil worker`s storing into SQLite partition dirs or ClickHouse; plus the embedded mode to
 * compare with.
 */

export const PARTITIONS = [0, 1, 2, 3];
export const CLUSTER = 'prod';

interface Running {
  nats?: RunningNats;
  server?: RunningServer;
  workers: RunningWorker[];
}
export const running: Running = { workers: [] };

/** For afterEach: kills what the test started. */
export async function stopTopology(): Promise<void> {
  for (const worker of running.workers.splice(0)) await worker.kill();
  await running.server?.kill();
  await running.nats?.stop();
  running.server = undefined;
  running.nats = undefined;
}

/**
 * One clickhouse-server for all the tests of the calling file: started before the first, stopped
 * after the last. Returns its accessor, to be called inside the tests.
 */
export function sharedClickHouse(): () => RunningClickHouse {
  let clickhouse: RunningClickHouse | undefined;
  beforeAll(async () => {
    clickhouse = await startClickHouse();
  });
  afterAll(async () => {
    await clickhouse?.stop();
  });
  return () => {
    if (clickhouse === undefined) throw new Error('clickhouse-server is not running: call the accessor inside a test, after beforeAll');
    return clickhouse;
  };
}

/** Where the workers store, and how a test reads it back. */
export interface WorkerStore {
  /** The worker's --store value. */
  arg: string;
  events(): Promise<StoredRow[]>;
  alerts(): Promise<StoredAlert[]>;
}

export function sqliteWorkerStore(root: string): WorkerStore {
  return {
    arg: root,
    events: async () => [...(await storedByPartition(root, PARTITIONS)).values()].flat(),
    alerts: () => sqliteAlerts(join(root, 'alerts')),
  };
}

export function clickhouseWorkerStore(url: string): WorkerStore {
  return {
    arg: url,
    events: async () => {
      const store = await ClickHouseStore.open(url);
      try {
        const rows = await store.query('*', {}, 1_000_000);
        return rows.rows.map((row) => ({ id: String(row.id), record: String(row.record) }));
      } finally {
        await store.close();
      }
    },
    alerts: async () => {
      const store = await ClickHouseAlertStore.open(url);
      try {
        return await store.listAlerts({ limit: 100_000 });
      } finally {
        await store.close();
      }
    },
  };
}

export async function sqliteAlerts(dataDir: string): Promise<StoredAlert[]> {
  const db = openDatabase(dataDir);
  try {
    return await new SqliteAlertStore(db).listAlerts({ limit: 100_000 });
  } finally {
    db.close();
  }
}

export interface Topology {
  dir: string;
  nats: RunningNats;
  server: RunningServer;
  token: string;
  store: WorkerStore;
  workerArgs: string[];
  /** The Ed25519 key every worker signs with (--signing-key). */
  keyFile: string;
  /** The witness directory every worker copies checkpoints to (per partition: <witness>/p<N>). */
  witness: string;
}

/** nats-server, `vigil serve --bus` with an ingest token for the cluster, and the workers' arguments. */
export async function startTopology(store: (dir: string) => WorkerStore): Promise<Topology> {
  const dir = tempDir();
  const nats = await startNats({ partitions: PARTITIONS.length });
  running.nats = nats;
  const serveDir = join(dir, 'serve');
  const created = await vigil(['tokens', 'create', '--name', 'apiserver', '--role', 'ingest', '--cluster', CLUSTER, '--data-dir', serveDir]);
  expect(created.code).toBe(0);
  const server = await startServer(['--data-dir', serveDir, '--bus', nats.url, '--rules', 'none']);
  running.server = server;
  const workerStore = store(dir);
  const keyFile = join(dir, 'ledger.key');
  await saveSigningKey(keyFile, generateSigningKey('vigil'));
  const witness = join(dir, 'witness');
  mkdirSync(witness);
  const workerArgs = ['--bus', nats.url, '--store', workerStore.arg, '--partitions', '0-3', '--lease-ttl', '2000', '--ack-wait', '3000', '--batch', '200', '--signing-key', keyFile, '--witness', witness];
  return { dir, nats, server, token: created.stdout.trim(), store: workerStore, workerArgs, keyFile, witness };
}

export async function addWorker(topology: Topology, name: string): Promise<RunningWorker> {
  const worker = await startWorker(name, topology.workerArgs);
  running.workers.push(worker);
  return worker;
}

/** A generated real-shaped day of audit events with an insider's mass delete in it. */
export function theDay(): RawAuditEvent[] {
  const insider = ATTACKS.find((attack) => attack.name === 'insider mass delete');
  if (!insider) throw new Error('scenario "insider mass delete" is missing');
  return sortByTime([...normalDay(), ...insider.events()]);
}

/** Two workers take the day through the webhook; they must store and detect exactly what `vigil ingest` does with it. */
export async function expectTwoWorkersMatchEmbedded(topology: Topology): Promise<void> {
  await addWorker(topology, 'worker-a');
  await addWorker(topology, 'worker-b');
  const events = theDay();
  for (const batch of chunks(events, 400)) await postUntilAccepted(topology, batch);

  const embedded = await embeddedIngest(topology.dir, events, 'builtin');
  const stored = await storedOnceEach(topology, embedded.rows.length);
  expect(byId(stored)).toEqual(byId(embedded.rows));
  await expectSameAlerts(topology, embedded.dataDir);
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export function postEventList(topology: Topology, items: readonly RawAuditEvent[]): Promise<Response> {
  return fetch(`${topology.server.url}/api/v1/ingest/k8s-audit`, {
    method: 'POST',
    headers: { authorization: `Bearer ${topology.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items }),
  });
}

/**
 * Posts one EventList as the apiserver's webhook does: a 2xx means the batch is safe; 503 or 429
 * (with Retry-After) means keep it and send it again.
 */
export async function postUntilAccepted(topology: Topology, items: readonly RawAuditEvent[]): Promise<void> {
  for (let tries = 1; ; tries += 1) {
    const response = await postEventList(topology, items);
    const text = await response.text();
    if (response.ok) return;
    if (response.status !== 503 && response.status !== 429) throw new Error(`receiver answered ${response.status}: ${text}`);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    if (tries > 300) throw new Error(`still refused after ${tries} tries: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What `vigil ingest` stores for the same records in the embedded store. */
export async function embeddedIngest(dir: string, events: readonly RawAuditEvent[], rules: string): Promise<{ dataDir: string; rows: StoredRow[] }> {
  const file = join(dir, 'day.log');
  writeFileSync(file, events.map((event) => JSON.stringify(event)).join('\n'));
  const dataDir = join(dir, 'embedded');
  const result = await vigil(['ingest', '--cluster', CLUSTER, '--rules', rules, '--data-dir', dataDir, file]);
  expect(result.code, result.stderr).toBe(0);
  return { dataDir, rows: await storedEvents(dataDir) };
}

/** The workers' events once all `expectedCount` ids are in; fails on an event stored twice. */
export async function storedOnceEach(topology: Topology, expectedCount: number): Promise<StoredRow[]> {
  let seen: StoredRow[] = [];
  const rows = await eventually(
    async () => {
      seen = await topology.store.events();
      return new Set(seen.map((row) => row.id)).size >= expectedCount ? seen : undefined;
    },
    () => `${expectedCount} events in the workers' store (have ${seen.length})\n${running.workers.map((w) => w.output().slice(-3000)).join('\n')}`,
    120_000,
  );
  expect(rows.length, 'an event stored twice').toBe(new Set(rows.map((row) => row.id)).size);
  return rows;
}

export const byId = (rows: readonly StoredRow[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));

/** Alerts as comparable lines: rule, entity, count and span. */
export function alertLines(alerts: readonly StoredAlert[]): string[] {
  return alerts.map((alert) => `${alert.rule.id} ${JSON.stringify(alert.entity)} ${alert.count} ${alert.firstSeen}..${alert.lastSeen}`).sort();
}

/** Waits until the workers' alerts are the embedded ones (they are written after the events they count), then compares. */
export async function expectSameAlerts(topology: Topology, embeddedDataDir: string): Promise<void> {
  const expected = alertLines(await sqliteAlerts(embeddedDataDir));
  expect(expected.length).toBeGreaterThan(0);
  let actual: string[] = [];
  await eventually(
    async () => {
      actual = alertLines(await topology.store.alerts());
      return JSON.stringify(actual) === JSON.stringify(expected) ? true : undefined;
    },
    'the workers\' alerts to match the embedded ones',
  ).catch(() => undefined);
  expect(actual).toEqual(expected);
}
