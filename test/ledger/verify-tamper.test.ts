import { createHash } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, vigil } from '../helpers/cli.js';
import { falcoTraceFiles } from '../helpers/fixtures.js';
import { type Json, anomalies, partitionTables, rangeAt, tableOf, tamperedCopy, verifyJson } from './store-tamper.js';

/**
 * `vigil verify` over the Falco audit traces ingested by the real CLI, then changed with plain SQL
 * behind Vigil's back: each change must make verify exit 1 and name the right range and kind.
 */

let pristine: string;
let witness: string;
let size: number;

beforeAll(async () => {
  pristine = join(tempDir('vigil-ledger-'), 'data');
  witness = tempDir('vigil-witness-');
  const ingest = await vigil(['ingest', '--cluster', 'falco', '--rules', 'none', '--data-dir', pristine, '--witness', witness, ...falcoTraceFiles()]);
  expect(ingest.stderr).toMatch(/accepted \d+, duplicates 0, quarantined 1/);
  const { report } = await verifyJson(pristine);
  size = report.ledgerSize as number;
});

describe('vigil verify on the store as ingest left it', () => {
  it('says intact with exit 0: every record, its columns, the checkpoint and the witness agree', async () => {
    const { code, report } = await verifyJson(pristine, '--witness', witness);
    expect(size).toBeGreaterThan(40);
    expect(report).toMatchObject({ intact: true, records: size, storeProblems: [], uncovered: [] });
    expect(report.ranges).toEqual([{ from: 0, to: size, kind: 'intact', detail: expect.any(String) }]);
    expect(report.checkpoints.verified).toBeGreaterThanOrEqual(1);
    expect(report.witnesses).toEqual([expect.objectContaining({ witness, size, status: 'consistent' })]);
    expect(code).toBe(0);
  });

  it('prints a readable report that ends in the verdict', async () => {
    const result = await vigil(['verify', '--data-dir', pristine]);
    expect(result.stdout).toMatch(new RegExp(`0–${size - 1}\\s+${size}\\s+intact`));
    expect(result.stdout).toMatch(/result: intact\n$/);
    expect(result.code).toBe(0);
  });

  it('keeps the last record for the run itself, as a vigil.admin record', async () => {
    const result = await vigil(['query', 'source="vigil.admin"', '-o', 'ndjson', '--data-dir', pristine]);
    const runs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Json);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ event: { action: 'ingest.run', outcome: 'success' }, vigil: { source: 'vigil.admin' } });
    expect(runs[0].vigil.original.details).toMatchObject({ cluster: 'falco', accepted: size - 1, duplicates: 0, quarantined: 1, firstSeq: 0, endSeq: size - 1 });
  });
});

describe('vigil verify names each change made behind Vigil\'s back', () => {
  it('modified: one byte of a stored record', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      const table = tableOf(db, 17);
      const record = db.prepare(`SELECT record FROM ${table} WHERE seq = 17`).pluck().get() as string;
      const at = record.indexOf('"auditID":"') + 12;
      const changed = record.slice(0, at) + (record[at] === 'f' ? 'e' : 'f') + record.slice(at + 1);
      db.prepare(`UPDATE ${table} SET record = ? WHERE seq = 17`).run(changed);
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([{ from: 17, to: 18, kind: 'modified' }]);
    expect(rangeAt(report, 17).detail).toMatch(/record bytes at seq 17 hash to/);
    expect(code).toBe(1);
  });

  it('modified: only a stored column (user name, verb, time), the record untouched', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      db.prepare(`UPDATE ${tableOf(db, 20)} SET user_name = 'mallory' WHERE seq = 20`).run();
      db.prepare(`UPDATE ${tableOf(db, 25)} SET action = CASE action WHEN 'delete' THEN 'get' ELSE 'delete' END WHERE seq = 25`).run();
      db.prepare(`UPDATE ${tableOf(db, 28)} SET ts = ts + 3600000 WHERE seq = 28`).run();
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([
      { from: 20, to: 21, kind: 'modified' },
      { from: 25, to: 26, kind: 'modified' },
      { from: 28, to: 29, kind: 'modified' },
    ]);
    expect(rangeAt(report, 20).detail).toMatch(/user\.name: stored "mallory", the record gives "/);
    expect(rangeAt(report, 25).detail).toMatch(/event\.action: stored "(get|delete)", the record gives "/);
    expect(rangeAt(report, 28).detail).toMatch(/@timestamp: stored \d+, the record gives \d+/);
    expect(code).toBe(1);
  });

  it('deleted: a row removed', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      db.prepare(`DELETE FROM ${tableOf(db, 30)} WHERE seq = 30`).run();
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([{ from: 30, to: 31, kind: 'deleted' }]);
    expect(code).toBe(1);
  });

  it('inserted: a forged row after the last record, and a second row claiming an existing seq', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      const forge = (fromSeq: number, table: string, seq: number) => {
        const row = db.prepare(`SELECT * FROM ${tableOf(db, fromSeq)} WHERE seq = ?`).get(fromSeq) as Json;
        const columns = Object.keys(row);
        db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run({ ...row, seq, id: `forged-${seq}` });
      };
      forge(5, tableOf(db, 5), size);
      const tables = partitionTables(db);
      const later = tables[tables.indexOf(tableOf(db, 12)) + 1];
      forge(13, later, 12);
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([
      { from: 12, to: 13, kind: 'inserted' },
      { from: size, to: size + 1, kind: 'inserted' },
    ]);
    expect(rangeAt(report, size).detail).toMatch(/beyond the ledger's \d+ leaves/);
    expect(rangeAt(report, 12).detail).toMatch(/a second row claims seq 12/);
    expect(code).toBe(1);
  });

  it('reordered: two rows swapped their contents', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      const [a, b] = [10, 11].map((seq) => ({ seq, table: tableOf(db, seq), row: db.prepare(`SELECT * FROM ${tableOf(db, seq)} WHERE seq = ?`).get(seq) as Json }));
      const columns = Object.keys(a.row).filter((column) => column !== 'seq');
      const update = (target: typeof a, source: typeof a) =>
        db.prepare(`UPDATE ${target.table} SET ${columns.map((c) => `${c} = @${c}`).join(', ')} WHERE seq = @seq`).run({ ...source.row, seq: target.seq });
      update(a, b);
      update(b, a);
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([{ from: 10, to: 12, kind: 'reordered' }]);
    expect(code).toBe(1);
  });

  it('modified: a record rewritten together with its recorded leaf hash, caught by the signed root', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      const table = tableOf(db, 40);
      db.prepare(`UPDATE ${table} SET record = replace(record, '"stage":"', '"stage":"X') WHERE seq = 40`).run();
      const record = db.prepare(`SELECT source || char(10) || cluster || char(10) || record FROM ${table} WHERE seq = 40`).pluck().get() as string;
      db.prepare('UPDATE leaves SET hash = ? WHERE seq = 40').run(leafHashOf(record));
    });
    const { code, report } = await verifyJson(dir);
    const [finding] = anomalies(report);
    expect(finding.kind).toBe('modified');
    expect(finding.from).toBeLessThanOrEqual(40);
    expect(finding.to).toBeGreaterThan(40);
    expect(code).toBe(1);
  });

  it('modified: the admin record of the ingest run', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      const table = tableOf(db, size - 1);
      db.prepare(`UPDATE ${table} SET record = replace(record, '"quarantined":1', '"quarantined":0') WHERE seq = ?`).run(size - 1);
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([{ from: size - 1, to: size, kind: 'modified' }]);
    expect(code).toBe(1);
  });

  it('notices deleted checkpoints by the signed action they leave unsigned', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      db.prepare('DELETE FROM checkpoints').run();
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([]);
    expect(report.uncovered).toEqual([{ from: 0, to: size }]);
    expect(report.storeProblems).toEqual([expect.stringMatching(new RegExp(`action at seq ${size - 1} is not covered by a checkpoint.*newest checkpoints were deleted`))]);
    expect(code).toBe(1);
  });

  it('reports a partition hidden from queries by a narrowed partition index', async () => {
    const dir = tamperedCopy(pristine, (db) => {
      db.prepare('UPDATE partitions SET max_ts = min_ts WHERE day = (SELECT max(day) FROM partitions WHERE min_ts < max_ts)').run();
    });
    const { code, report } = await verifyJson(dir);
    expect(anomalies(report)).toEqual([]);
    expect(report.storeProblems).toEqual([expect.stringMatching(/time span narrower than its records/)]);
    expect(report.intact).toBe(false);
    expect(code).toBe(1);
  });
});

describe('restoring an older copy of the whole data directory', () => {
  it('is truncation to verify with the witness, and the witness refuses the next checkpoint loudly', async () => {
    const older = join(tempDir('vigil-older-'), 'data');
    cpSync(pristine, older, { recursive: true });
    const live = join(tempDir('vigil-live-'), 'data');
    cpSync(pristine, live, { recursive: true });
    const liveWitness = tempDir('vigil-witness-');
    cpSync(witness, liveWitness, { recursive: true });
    const more = await vigil(['ingest', '--cluster', 'more', '--rules', 'none', '--data-dir', live, '--witness', liveWitness, falcoTraceFiles()[0]]);
    expect(more.code).toBe(0);
    const newer = (await verifyJson(live)).report.ledgerSize as number;
    expect(newer).toBeGreaterThan(size);

    const { code, report } = await verifyJson(older, '--witness', liveWitness);
    expect(anomalies(report)).toEqual([{ from: size, to: newer, kind: 'truncated' }]);
    expect(report.witnesses).toEqual([expect.objectContaining({ size: newer, status: 'ahead-of-store' })]);
    expect(code).toBe(1);

    const again = await vigil(['ingest', '--cluster', 'again', '--rules', 'none', '--data-dir', older, '--witness', liveWitness, falcoTraceFiles()[1]]);
    expect(again.stderr).toMatch(/WITNESS REJECTED the checkpoint: witness .* holds a/);
    expect(again.code).toBe(1);
    const stored = await vigil(['query', 'cluster=again', '-o', 'ndjson', '--data-dir', older]);
    expect(stored.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });
});

function leafHashOf(leaf: string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(leaf).digest();
}
