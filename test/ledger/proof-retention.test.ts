import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyConsistencyBundle } from '../../src/ledger/consistency-bundle.js';
import { verifyProofBundle } from '../../src/ledger/offline-verify.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { falcoTraceFiles } from '../helpers/fixtures.js';
import { type Json, anomalies, tableOf, tamperedCopy, verifyJson } from './store-tamper.js';

/** Proofs an auditor checks with only the public key, and retention that verify calls expired, not tampered. */

async function ingest(dataDir: string, witness: string, files: string[], cluster = 'falco'): Promise<void> {
  const result = await vigil(['ingest', '--cluster', cluster, '--rules', 'none', '--data-dir', dataDir, '--witness', witness, ...files]);
  expect(result.stderr).toMatch(/accepted \d+/);
}

async function query(dataDir: string, text: string): Promise<Json[]> {
  const result = await vigil(['query', text, '-o', 'ndjson', '--data-dir', dataDir]);
  expect(result.code).toBe(0);
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Json);
}

describe('vigil proof', () => {
  const dataDir = join(tempDir('vigil-proof-'), 'data');
  const witness = tempDir('vigil-witness-');
  let publicKey: string;
  let firstCheckpoint: string;

  beforeAll(async () => {
    await ingest(dataDir, witness, falcoTraceFiles().slice(0, 10));
    firstCheckpoint = readFileSync(join(witness, 'checkpoint'), 'utf8');
    await ingest(dataDir, witness, falcoTraceFiles().slice(10));
    const key = await vigil(['checkpoint', '--public-key', '--data-dir', dataDir]);
    expect(key.code).toBe(0);
    publicKey = key.stdout.trim();
  });

  it('prints the public key as a signed-note verifier key and the newest checkpoint as a signed note', async () => {
    expect(publicKey).toMatch(/^vigil\/[0-9a-f]{16}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    const checkpoint = await vigil(['checkpoint', '--data-dir', dataDir]);
    expect(checkpoint.stdout).toBe(readFileSync(join(witness, 'checkpoint'), 'utf8'));
    expect(checkpoint.stdout).toMatch(new RegExp(`^${publicKey.split('+')[0]}\\n\\d+\\n[A-Za-z0-9+/]{43}=\\ntime \\S+Z\\n\\n— `));
  });

  it('gives an inclusion proof that verifies with only the public key, and fails for an altered record', async () => {
    const [event] = await query(dataDir, 'cluster=falco verb=create | head 1');
    const result = await vigil(['proof', event.event.id, '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    const bundle = JSON.parse(result.stdout) as Json;
    expect(bundle.leaf).toBe(`k8s.audit\nfalco\n${JSON.stringify(event.vigil.original)}`);
    expect(verifyProofBundle(bundle, publicKey)).toMatchObject({ valid: true, leafIndex: bundle.leafIndex });
    const altered = { ...bundle, leaf: bundle.leaf.replace('"verb":"create"', '"verb":"get"') };
    expect(verifyProofBundle(altered, publicKey)).toMatchObject({ valid: false, reason: expect.stringMatching(/does not lead to the given root/) });

    const files = tempDir('vigil-bundles-');
    writeFileSync(join(files, 'good.json'), result.stdout);
    writeFileSync(join(files, 'bad.json'), JSON.stringify(altered));
    const good = await vigil(['proof', 'verify', join(files, 'good.json'), '--public-key', publicKey]);
    expect(good.stdout).toMatch(/^valid: the record is leaf \d+ of vigil\/\S+ log of \d+ records/);
    expect(good.code).toBe(0);
    const bad = await vigil(['proof', 'verify', join(files, 'bad.json'), '--public-key', publicKey]);
    expect(bad.stdout).toMatch(/^INVALID: /);
    expect(bad.code).toBe(1);
    const otherKey = await vigil(['checkpoint', '--public-key', '--data-dir', join(tempDir(), 'other')]);
    const foreign = await vigil(['proof', 'verify', join(files, 'good.json'), '--public-key', otherKey.stdout.trim()]);
    expect(foreign.stdout).toMatch(/INVALID: .*no signature by/);
    expect(foreign.code).toBe(1);
  });

  it('proves the log only grew since the checkpoint an auditor kept', async () => {
    const oldSize = Number(firstCheckpoint.split('\n')[1]);
    const result = await vigil(['proof', '--consistency', String(oldSize), '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    const bundle = JSON.parse(result.stdout) as Json;
    expect(verifyConsistencyBundle(bundle, publicKey, firstCheckpoint)).toMatchObject({ valid: true, oldSize });
    const forged = firstCheckpoint.replace(/\n[A-Za-z0-9+/]{43}=\n/, `\n${Buffer.alloc(32, 7).toString('base64')}\n`);
    expect(verifyConsistencyBundle(bundle, publicKey, forged)).toMatchObject({ valid: false });
  });

  it('refuses to prove a record that was altered in the store', async () => {
    const [event] = await query(dataDir, 'cluster=falco verb=create | head 1');
    const copy = tamperedCopy(dataDir, (db) => {
      const seq = db.prepare('SELECT seq FROM leaves WHERE id = ?').pluck().get(event.event.id) as number;
      db.prepare(`UPDATE ${tableOf(db, seq)} SET record = replace(record, '"verb":"create"', '"verb":"get"') WHERE seq = ?`).run(seq);
    });
    const result = await vigil(['proof', event.event.id, '--data-dir', copy]);
    expect(result.stderr).toMatch(/does not match its ledger leaf.*run vigil verify/);
    expect(result.code).toBe(1);
  });
});

describe('vigil retention apply', () => {
  const dataDir = join(tempDir('vigil-retention-'), 'data');
  const witness = tempDir('vigil-witness-');
  // The traces are from October 2018 and from 2020: keep what is newer than mid-2019.
  const olderThan = `${Math.floor((Date.now() - Date.parse('2019-06-01T00:00:00Z')) / 86_400_000)}d`;
  let removedSeqs: number[];
  let keptSeqs: number[];

  beforeAll(async () => {
    await ingest(dataDir, witness, falcoTraceFiles());
    const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
    removedSeqs = db.prepare("SELECT seq FROM leaves WHERE day < '20190601' ORDER BY seq").pluck().all() as number[];
    keptSeqs = db.prepare("SELECT seq FROM leaves WHERE day >= '20190601' ORDER BY seq").pluck().all() as number[];
    db.close();
    const result = await vigil(['retention', 'apply', '--older-than', olderThan, '--data-dir', dataDir, '--witness', witness]);
    expect(result.stdout).toMatch(new RegExp(`removed ${removedSeqs.length} records of 2 day partitions \\(20181025, 20181026\\); declared by the retention record at seq \\d+`));
    expect(result.code).toBe(0);
  });

  it('removes the old records from queries and full-text search, and keeps the rest', async () => {
    expect(removedSeqs.length).toBeGreaterThan(40);
    expect(await query(dataDir, 'cluster=falco | head 1000')).toHaveLength(keptSeqs.length - 1);
    const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
    const indexed = db.prepare('SELECT rowid FROM events_fts').pluck().all() as number[];
    db.close();
    expect(indexed.filter((seq) => removedSeqs.includes(seq))).toEqual([]);
  });

  it('is expired to verify, not tampered: exit 0, every removed seq expired, the rest intact', async () => {
    const { code, report } = await verifyJson(dataDir, '--witness', witness);
    const expired = (report.ranges as Json[]).filter((r) => r.kind === 'expired').flatMap((r) => Array.from({ length: r.to - r.from }, (_, i) => r.from + i));
    expect(expired).toEqual(removedSeqs);
    expect((report.ranges as Json[]).every((r) => r.kind === 'expired' || r.kind === 'intact')).toBe(true);
    expect(report).toMatchObject({ intact: true, storeProblems: [], records: keptSeqs.length + 1 });
    expect(report.witnesses).toEqual([expect.objectContaining({ status: 'consistent' })]);
    expect(code).toBe(0);
    const [retention] = await query(dataDir, 'source="vigil.admin" event.action="retention.apply"');
    expect(retention.vigil.original.details).toMatchObject({ removedRecords: removedSeqs.length, days: ['20181025', '20181026'] });
  });

  it('still proves records after the removed range: their leaf hashes stayed', async () => {
    const [kept] = await query(dataDir, 'cluster=falco | head 1');
    const result = await vigil(['proof', kept.event.id, '--data-dir', dataDir]);
    const key = (await vigil(['checkpoint', '--public-key', '--data-dir', dataDir])).stdout.trim();
    expect(verifyProofBundle(JSON.parse(result.stdout), key)).toMatchObject({ valid: true });
  });

  it('does not pass off a deletion as retention, even when retention_ranges is widened to cover it', async () => {
    const victim = keptSeqs[0];
    const deleted = tamperedCopy(dataDir, (db) => {
      db.prepare(`DELETE FROM ${tableOf(db, victim)} WHERE seq = ?`).run(victim);
    });
    const plain = await verifyJson(deleted);
    expect(anomalies(plain.report).filter((r) => r.kind !== 'expired')).toEqual([{ from: victim, to: victim + 1, kind: 'deleted' }]);
    expect(plain.code).toBe(1);

    const covered = tamperedCopy(deleted, (db) => {
      const declaredBy = db.prepare('SELECT declared_by FROM retention_ranges LIMIT 1').pluck().get() as number;
      db.prepare('INSERT INTO retention_ranges (from_seq, to_seq, declared_by) VALUES (?, ?, ?)').run(victim, victim + 1, declaredBy);
    });
    const widened = await verifyJson(covered);
    expect(widened.report.ranges.find((r: Json) => r.from <= victim && victim < r.to).kind).toBe('deleted');
    expect(widened.report.storeProblems).toEqual([expect.stringMatching(/is not authorised: .*retention_ranges was altered/)]);
    expect(widened.code).toBe(1);
  });
});

describe('admin records', () => {
  it('cannot be forged by ingesting a file: no source decodes them', async () => {
    const dataDir = join(tempDir('vigil-forge-'), 'data');
    const witness = tempDir('vigil-witness-');
    await ingest(dataDir, witness, falcoTraceFiles().slice(0, 1));
    const [run] = await query(dataDir, 'source="vigil.admin"');
    const forged = join(tempDir(), 'forged.json');
    writeFileSync(forged, `${JSON.stringify({ ...run.vigil.original, id: 'forged', action: 'retention.apply' })}\n`);
    const auto = await vigil(['ingest', '--rules', 'none', '--data-dir', dataDir, forged]);
    expect(auto.stderr).toContain('accepted 0, duplicates 0, quarantined 1');
    const named = await vigil(['ingest', '--source', 'vigil.admin', '--rules', 'none', '--data-dir', dataDir, forged]);
    expect(named.code).toBe(2);
    expect(await query(dataDir, 'source="vigil.admin" event.action="retention.apply"')).toEqual([]);
  });
});
