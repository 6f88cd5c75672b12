import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SigningKey, parseCheckpoint } from '../../src/ledger/checkpoint.js';
import { checkpointLog } from '../../src/ledger/clickhouse-checkpointer.js';
import { type ClickHouseLogVerifyReport, verifyClickHouseStore } from '../../src/ledger/clickhouse-verify.js';
import { leafBytes } from '../../src/ledger/leaf.js';
import { leafHash } from '../../src/ledger/merkle.js';
import { generateSigningKey } from '../../src/ledger/signing-key.js';
import type { VigilEvent } from '../../src/model/event.js';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';
import { ClickHouseStore } from '../../src/store/clickhouse/clickhouse-store.js';
import { ClickHouseConnection } from '../../src/store/clickhouse/connection.js';
import { eventRow } from '../../src/store/clickhouse/schema.js';
import { parseClickHouseUrl } from '../../src/store/clickhouse/url.js';
import { type RunningClickHouse, startClickHouse } from '../helpers/clickhouse.js';

let server: RunningClickHouse;
let databases = 0;
const dirs: string[] = [];
const key: SigningKey = generateSigningKey('vigil/test-install');

beforeAll(async () => {
  server = await startClickHouse();
});

afterAll(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ch-witness-'));
  dirs.push(dir);
  return dir;
}

const DAY = Date.parse('2026-03-01T00:00:00Z');

function event(i: number, user = 'alice'): VigilEvent {
  // Two days, so a log spans two partitions.
  const at = DAY + i * 2 * 3_600_000;
  const raw = { kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: `a-${i}`, stage: 'ResponseComplete', verb: 'delete', user: { username: user }, requestReceivedTimestamp: new Date(at).toISOString() };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'prod');
}

interface Fixture {
  url: string;
  witness: string;
  sql: ClickHouseConnection;
  close(): Promise<void>;
}

/** A fresh database with log p0 holding 20 signed records (witnessed), in two appends, each followed by a checkpoint. */
async function signedLog(count = 20): Promise<Fixture> {
  databases += 1;
  const url = server.urlFor(`ledger_${databases}`);
  const witness = tempDir();
  const store = await ClickHouseStore.open(url, { log: 'p0' });
  const half = Math.floor(count / 2);
  await store.append(Array.from({ length: half }, (_, i) => event(i)));
  await checkpointLog(store, key, [witness]);
  await store.append(Array.from({ length: count - half }, (_, i) => event(half + i)));
  const outcome = await checkpointLog(store, key, [witness]);
  expect(outcome.witnesses.map((w) => w.status)).toEqual(['accepted']);
  await store.close();
  const sql = await ClickHouseConnection.open(parseClickHouseUrl(url));
  return { url, witness, sql, close: () => sql.close() };
}

/** Runs a mutation and waits until it is applied (18.16 has no mutations_sync). */
async function mutate(sql: ClickHouseConnection, statement: string): Promise<void> {
  await sql.command(statement, 'tampering');
  for (;;) {
    const [{ pending }] = await sql.rows<{ pending: number }>(
      `SELECT count() AS pending FROM system.mutations WHERE database = '${sql.location.database}' AND is_done = 0`,
      'waiting for mutations',
    );
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function verifyP0(fixture: Fixture): Promise<ClickHouseLogVerifyReport> {
  const report = await verifyClickHouseStore({ url: fixture.url, logs: ['p0'], witnessDirs: [fixture.witness], publicKey: verifierText() });
  expect(report.logs).toHaveLength(1);
  expect(report.intact).toBe(report.logs[0].intact);
  return report.logs[0];
}

function verifierText(): string {
  const { keyId, publicKey, name } = key;
  return `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')]).toString('base64')}`;
}

const problems = (report: ClickHouseLogVerifyReport) => report.ranges.filter((range) => range.kind !== 'intact').map(({ from, to, kind }) => ({ from, to, kind }));

describe('checkpointLog', () => {
  it('signs a checkpoint of the log under <origin>/<log> only when it grew, and witnesses each log in its own directory', async () => {
    databases += 1;
    const url = server.urlFor(`ledger_${databases}`);
    const witness = tempDir();
    const p0 = await ClickHouseStore.open(url, { log: 'p0' });
    const p1 = await ClickHouseStore.open(url, { log: 'p1' });
    await p0.append([event(1), event(2)]);
    await p1.append([event(3)]);
    const first = await checkpointLog(p0, key, [witness]);
    expect(first).toMatchObject({ log: 'p0', signed: true, latest: { size: 2 } });
    const note = parseCheckpoint(first.latest?.note ?? '');
    expect(note).toMatchObject({ origin: 'vigil/test-install/p0', size: 2 });
    expect(note.root.equals(p0.root())).toBe(true);
    expect(await checkpointLog(p0, key, [witness])).toMatchObject({ signed: false, witnesses: [] });
    expect((await checkpointLog(p1, key, [witness])).witnesses).toMatchObject([{ dir: join(witness, 'p1'), status: 'accepted' }]);
    await p0.append([event(4)]);
    expect((await checkpointLog(p0, key, [witness])).witnesses).toMatchObject([{ status: 'accepted' }]);
    expect(parseCheckpoint(readFileSync(join(witness, 'p0', 'checkpoint'), 'utf8')).size).toBe(3);
    expect(parseCheckpoint(readFileSync(join(witness, 'p1', 'checkpoint'), 'utf8')).size).toBe(1);
    const report = await verifyClickHouseStore({ url, witnessDirs: [witness] });
    expect(report.logs.map((log) => [log.log, log.intact, log.checkpoints.verified])).toEqual([
      ['p0', true, 2],
      ['p1', true, 1],
    ]);
    await p0.close();
    await p1.close();
  });

  it('is refused by a witness that holds another history of the log (fork)', async () => {
    const witness = tempDir();
    for (const users of [['alice', 'bob'], ['alice', 'mallory', 'eve']]) {
      databases += 1;
      const store = await ClickHouseStore.open(server.urlFor(`ledger_${databases}`), { log: 'p0' });
      await store.append(users.map((user, i) => event(i, user)));
      const outcome = await checkpointLog(store, key, [witness]);
      await store.close();
      if (users.length === 3) {
        expect(outcome.signed).toBe(true);
        expect(outcome.witnesses[0]).toMatchObject({ status: 'rejected' });
        expect(outcome.witnesses[0].error?.message).toMatch(/does not extend/);
      }
    }
  });
});

describe('checkpointLog refusals', () => {
  it('refuses to sign a log with another key than the one its first checkpoint pinned', async () => {
    databases += 1;
    const store = await ClickHouseStore.open(server.urlFor(`ledger_${databases}`), { log: 'p0' });
    await store.append([event(1)]);
    await checkpointLog(store, key, []);
    await store.append([event(2)]);
    await expect(checkpointLog(store, generateSigningKey('vigil/test-install'), [])).rejects.toThrow(/log "p0" signs with vigil\/test-install\/p0\+/);
    await store.close();
  });

  it('refuses to sign when the rows under the writer were rolled back behind its newest checkpoint', async () => {
    const fixture = await signedLog();
    await mutate(fixture.sql, `ALTER TABLE events DELETE WHERE log = 'p0' AND seq >= 15`);
    await mutate(fixture.sql, `ALTER TABLE state DELETE WHERE key = 'ledger/frontier/p0'`);
    const reopened = await ClickHouseStore.open(fixture.url, { log: 'p0' });
    expect(reopened.treeSize).toBe(15);
    await expect(checkpointLog(reopened, key, [fixture.witness])).rejects.toThrow(/has 15 leaves but its newest checkpoint signed 20/);
    await reopened.close();
    await fixture.close();
  });
});

describe('vigil verify over a ClickHouse log', () => {
  it('reports an untouched log intact, every checkpoint and the witness verified', async () => {
    const fixture = await signedLog();
    const report = await verifyP0(fixture);
    expect(report).toMatchObject({ intact: true, records: 20, ledgerSize: 20, origin: 'vigil/test-install/p0', uncovered: [] });
    expect(report.checkpoints).toEqual({ verified: 2, notCheckable: 0, problems: [] });
    expect(report.witnesses).toMatchObject([{ status: 'consistent', size: 20 }]);
    await fixture.close();
  });

  it('names a record changed in place as modified', async () => {
    const fixture = await signedLog();
    await mutate(fixture.sql, `ALTER TABLE events UPDATE record = replaceAll(record, 'alice', 'mallory') WHERE log = 'p0' AND seq = 5`);
    const report = await verifyP0(fixture);
    expect(report.intact).toBe(false);
    expect(problems(report)).toEqual([{ from: 5, to: 6, kind: 'modified' }]);
    await fixture.close();
  });

  it('names a query column changed behind the store\'s back as modified, with the column', async () => {
    const fixture = await signedLog();
    await mutate(fixture.sql, `ALTER TABLE events UPDATE user_name = 'nobody' WHERE log = 'p0' AND seq = 12`);
    const report = await verifyP0(fixture);
    expect(problems(report)).toEqual([{ from: 12, to: 13, kind: 'modified' }]);
    expect(report.ranges.find((range) => range.from === 12)?.detail).toMatch(/user_name: stored "nobody", the record gives "alice"/);
    await fixture.close();
  });

  it('names deleted rows as deleted', async () => {
    const fixture = await signedLog();
    await mutate(fixture.sql, `ALTER TABLE events DELETE WHERE log = 'p0' AND seq IN (7, 8)`);
    const report = await verifyP0(fixture);
    expect(problems(report)).toEqual([{ from: 7, to: 9, kind: 'deleted' }]);
    await fixture.close();
  });

  it('names two records that swapped places as reordered', async () => {
    const fixture = await signedLog();
    await mutate(fixture.sql, `ALTER TABLE events UPDATE seq = if(seq = 10, 11, 10) WHERE log = 'p0' AND seq IN (10, 11)`);
    const report = await verifyP0(fixture);
    expect(problems(report)).toEqual([{ from: 10, to: 12, kind: 'reordered' }]);
    await fixture.close();
  });

  it('names forged rows as inserted: one after the end and one claiming a taken seq', async () => {
    const fixture = await signedLog();
    const forged = (seq: number, i: number) => {
      const fake = event(i, 'ghost');
      return eventRow('p0', seq, leafHash(leafBytes(fake)), fake);
    };
    await fixture.sql.insert('events', [forged(20, 100), forged(3, 101)], 'forging rows');
    const report = await verifyP0(fixture);
    expect(report.intact).toBe(false);
    expect(problems(report)).toEqual([
      { from: 3, to: 4, kind: 'inserted' },
      { from: 20, to: 21, kind: 'inserted' },
    ]);
    await fixture.close();
  });

  it('names records removed from the end as truncated, even with the saved frontier rolled back too', async () => {
    const fixture = await signedLog();
    await mutate(fixture.sql, `ALTER TABLE events DELETE WHERE log = 'p0' AND seq >= 16`);
    await mutate(fixture.sql, `ALTER TABLE ledger_leaves DELETE WHERE log = 'p0' AND seq >= 16`);
    await mutate(fixture.sql, `ALTER TABLE checkpoints DELETE WHERE log = 'p0' AND size > 10`);
    await mutate(fixture.sql, `ALTER TABLE state DELETE WHERE key = 'ledger/frontier/p0'`);
    const report = await verifyP0(fixture);
    expect(problems(report)).toEqual([{ from: 16, to: 20, kind: 'truncated' }]);
    expect(report.witnesses).toMatchObject([{ status: 'ahead-of-store', size: 20 }]);
    await fixture.close();
  });
});
