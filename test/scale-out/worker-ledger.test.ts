import { afterEach, describe, expect, it } from 'vitest';
import { verifierKeyText } from '../../src/ledger/checkpoint.js';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { loadWorkerSigningKey } from '../../src/worker/worker-signing-key.js';
import { vigil } from '../helpers/cli.js';
import { eventually } from './helpers.js';
import { PARTITIONS, addWorker, chunks, clickhouseWorkerStore, postUntilAccepted, running, sharedClickHouse, startTopology, stopTopology, storedOnceEach, theDay } from './topology.js';

const clickhouse = sharedClickHouse();

afterEach(stopTopology);

interface VerifyJson {
  intact: boolean;
  logs: Array<{ log: string; intact: boolean; records: number; ledgerSize: number; uncovered: unknown[]; checkpoints: { verified: number }; witnesses: Array<{ status: string }> }>;
}

/** Waits for the ClickHouse mutation to be applied (18.16 has no mutations_sync). */
async function tamper(url: string, statement: string): Promise<void> {
  const store = await ClickHouseStore.open(url);
  try {
    await store.connection.command(statement, 'tampering');
    await eventually(async () => {
      const [{ pending }] = await store.connection.rows<{ pending: number }>(
        `SELECT count() AS pending FROM system.mutations WHERE database = '${store.connection.location.database}' AND is_done = 0`,
        'waiting for the mutation',
      );
      return pending === 0 ? true : undefined;
    }, 'the tampering mutation to finish');
  } finally {
    await store.close();
  }
}

describe('workers sign and witness each partition\'s log', () => {
  it('signs while records arrive and at SIGTERM, so vigil verify --store finds every log intact, and catches a tampered row', async () => {
    const url = clickhouse().urlFor('worker_ledger');
    const topology = await startTopology(() => clickhouseWorkerStore(url));
    const first = await addWorker(topology, 'worker-a');
    await addWorker(topology, 'worker-b');
    const verifierKey = verifierKeyText(await loadWorkerSigningKey(topology.keyFile));
    expect(first.output()).toContain(`--public-key '${verifierKey}'`);

    const events = theDay().slice(0, 2000);
    for (const batch of chunks(events, 250)) await postUntilAccepted(topology, batch);
    const stored = await storedOnceEach(topology, new Set(events.map((event) => event.auditID)).size);
    const verify = (args: string[] = []) => vigil(['verify', '--store', url, '--public-key', verifierKey, '--witness', topology.witness, '-o', 'json', ...args]);

    // While the workers run: every stored record is covered by a checkpoint within about a second.
    let last = '';
    const whileRunning = await eventually(
      async () => {
        const result = await verify();
        last = result.stdout + result.stderr;
        const report = JSON.parse(result.stdout) as VerifyJson;
        return result.code === 0 && report.logs.every((log) => log.uncovered.length === 0) ? report : undefined;
      },
      () => `every partition's records to be signed while the workers run; last verify:\n${last.slice(-4000)}\n${running.workers.map((w) => w.output().slice(-3000)).join('\n')}`,
    );
    expect(whileRunning.logs.map((log) => log.log)).toEqual(PARTITIONS.map((partition) => `p${partition}`));
    expect(whileRunning.logs.reduce((sum, log) => sum + log.records, 0)).toBe(stored.length);

    for (const worker of running.workers) expect(await worker.stop(), worker.output()).toBe(0);
    const afterStop = await verify();
    expect(afterStop.code, afterStop.stdout + afterStop.stderr).toBe(0);
    const report = JSON.parse(afterStop.stdout) as VerifyJson;
    for (const log of report.logs) {
      expect(log.intact).toBe(true);
      expect(log.checkpoints.verified).toBeGreaterThan(0);
      expect(log.witnesses.map((witness) => witness.status)).toEqual(['consistent']);
    }

    await tamper(url, `ALTER TABLE events UPDATE record = replaceAll(record, '"verb":"', '"verb":"x') WHERE log = 'p2' AND seq = 3`);
    const tampered = await vigil(['verify', '--store', url, '--public-key', verifierKey, '--witness', topology.witness]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/=== ledger log p2[\s\S]*^3 +1 +modified/m);
    expect(tampered.stdout).toMatch(/=== ledger log p2[\s\S]*result: NOT INTACT \(1 modified range\)/);
    expect(tampered.stdout).toMatch(/=== ledger log p1[\s\S]*result: intact/);
  }, 300_000);

  it('refuses to start on ClickHouse without a signing key, and says how to make one', async () => {
    const result = await vigil(['worker', '--bus', 'nats://127.0.0.1:1', '--store', clickhouse().urlFor('worker_nokey'), '--partitions', '0-3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs --signing-key FILE[\s\S]*openssl genpkey -algorithm ed25519/);
  });
});
