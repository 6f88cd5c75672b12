import { describe, expect, it } from 'vitest';
import { type SigningKey, signCheckpoint } from './checkpoint.js';
import { MerkleFrontier, leafHash } from './merkle.js';
import { generateSigningKey } from './signing-key.js';
import type { LedgerRange, VerifyReport } from './verify-report.js';
import { type RetentionDeclaration, type StoredCheckpoint, type StoredRecord, type VerifyInput, verifyLedger } from './verify-stream.js';

const ORIGIN = 'vigil/verify-test';
const key = generateSigningKey(ORIGIN);

const recordText = (seq: number): string => JSON.stringify({ seq, verb: 'get', user: `user-${seq % 7}`, message: `event ${seq}` });

/** A log as the store would hold it: rows with recorded leaf hashes, a checkpoint every `every` leaves. */
function honestLog(size: number, every = 10, texts: (seq: number) => string = recordText, signer: SigningKey = key) {
  const records: StoredRecord[] = [];
  const checkpoints: StoredCheckpoint[] = [];
  const notes = new Map<number, string>();
  const frontier = MerkleFrontier.empty();
  const sign = () => {
    const note = signCheckpoint({ origin: ORIGIN, size: frontier.size, root: frontier.root(), timestampMs: 1_700_000_000_000 + frontier.size }, signer);
    notes.set(frontier.size, note);
    checkpoints.push({ note, frontier: frontier.serialize() });
  };
  for (let seq = 0; seq < size; seq++) {
    const text = texts(seq);
    frontier.append(leafHash(text));
    records.push({ seq, leafBytes: text, recordedLeafHash: leafHash(text) });
    if ((seq + 1) % every === 0 || seq + 1 === size) sign();
  }
  return { records, checkpoints, noteAt: (n: number) => notes.get(n) as string };
}

async function verify(overrides: Partial<VerifyInput> & Pick<VerifyInput, 'records' | 'checkpoints'>): Promise<VerifyReport> {
  return verifyLedger({ ledgerSize: 100, witnesses: [], retention: [], verifier: key, ...overrides });
}

function anomalies(report: VerifyReport): Array<Pick<LedgerRange, 'from' | 'to' | 'kind'>> {
  return report.ranges.filter((r) => r.kind !== 'intact').map(({ from, to, kind }) => ({ from, to, kind }));
}

function swap<T>(items: T[], a: number, b: number): T[] {
  const copy = [...items];
  [copy[a], copy[b]] = [copy[b], copy[a]];
  return copy;
}

describe('verifyLedger on an untouched log', () => {
  it('reports one intact range, every checkpoint verified, the witness consistent', async () => {
    const log = honestLog(100);
    const report = await verify({ ...log, witnesses: [{ witness: 'w1', note: log.noteAt(100) }] });
    expect(report.intact).toBe(true);
    expect(report.ranges).toEqual([{ from: 0, to: 100, kind: 'intact', detail: 'leaf hashes recomputed and matched' }]);
    expect(report.checkpoints).toEqual({ verified: 10, notCheckable: 0, problems: [] });
    expect(report.witnesses).toEqual([expect.objectContaining({ witness: 'w1', size: 100, status: 'consistent' })]);
    expect(report.uncovered).toEqual([]);
    expect(report.records).toBe(100);
  });

  it('streams from an async generator and reports the unsigned tail of a live log', async () => {
    const log = honestLog(5000, 1000);
    async function* rows() {
      yield* log.records;
    }
    const report = await verify({ records: rows(), checkpoints: log.checkpoints.slice(0, 4), ledgerSize: 5000 });
    expect(report.intact).toBe(true);
    expect(report.uncovered).toEqual([{ from: 4000, to: 5000 }]);
  });
});

describe('verifyLedger names each tamper', () => {
  it('modified: one byte of a record changed', async () => {
    const log = honestLog(100);
    const records = log.records.map((r) => (r.seq === 37 ? { ...r, leafBytes: recordText(37).replace('get', 'gat') } : r));
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(report.intact).toBe(false);
    expect(anomalies(report)).toEqual([{ from: 37, to: 38, kind: 'modified' }]);
    expect(report.ranges.find((r) => r.kind === 'modified')?.detail).toMatch(/record bytes at seq 37 hash to [0-9a-f]+… but the ledger recorded/);
    expect(report.checkpoints.verified).toBe(10);
  });

  it('modified: a stored column changed behind Vigil\'s back, found by the caller re-deriving it', async () => {
    const log = honestLog(100);
    const records = log.records.map((r) => (r.seq === 12 ? { ...r, columnMismatch: 'user.name: stored alice, record says user-5' } : r));
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([{ from: 12, to: 13, kind: 'modified' }]);
    expect(report.ranges[1].detail).toBe('stored columns at seq 12 differ from its record: user.name: stored alice, record says user-5');
  });

  it('modified: only the recorded leaf hash changed', async () => {
    const log = honestLog(100);
    const records = log.records.map((r) => (r.seq === 37 ? { ...r, recordedLeafHash: leafHash('something else') } : r));
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([{ from: 37, to: 38, kind: 'modified' }]);
    expect(report.checkpoints.verified).toBe(10);
  });

  it('modified: record and recorded hash rewritten together, localized between checkpoints', async () => {
    const log = honestLog(100);
    const forged = recordText(37).replace('get', 'delete');
    const records = log.records.map((r) => (r.seq === 37 ? { seq: 37, leafBytes: forged, recordedLeafHash: leafHash(forged) } : r));
    const report = await verify({ records, checkpoints: log.checkpoints });
    const [range] = anomalies(report);
    expect(anomalies(report)).toHaveLength(1);
    expect(range.kind).toBe('modified');
    expect(range.from).toBeGreaterThanOrEqual(30);
    expect(range.from).toBeLessThanOrEqual(37);
    expect(range.to).toBeGreaterThan(37);
    expect(range.to).toBeLessThanOrEqual(40);
    // Verification restarted from the signed frontier at 40: later checkpoints still verify.
    expect(report.checkpoints.verified).toBe(9);
  });

  it('deleted: a row removed (seq gap)', async () => {
    const log = honestLog(100);
    const report = await verify({ records: log.records.filter((r) => r.seq !== 37), checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([{ from: 37, to: 38, kind: 'deleted' }]);
    expect(report.checkpoints).toMatchObject({ verified: 9, notCheckable: 1 });
    expect(report.uncovered).toEqual([
      { from: 30, to: 37 },
      { from: 38, to: 40 },
    ]);
  });

  it('deleted: the record removed while its leaf hash was kept', async () => {
    const log = honestLog(100);
    const records = log.records.map((r) => (r.seq === 37 ? { ...r, leafBytes: null } : r));
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([{ from: 37, to: 38, kind: 'deleted' }]);
    expect(report.checkpoints.verified).toBe(10);
  });

  it('deleted: a record overwritten with a copy of its neighbour', async () => {
    const log = honestLog(100);
    const records = log.records.map((r) => (r.seq === 41 ? { ...r, leafBytes: recordText(40) } : r));
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([{ from: 41, to: 42, kind: 'deleted' }]);
    expect(report.ranges[1].detail).toBe('the record recorded for seq 41 is gone; this row holds the record of seq 40');
  });

  it('inserted: a forged row after the ledger end, and a second row with an existing seq', async () => {
    const log = honestLog(100);
    const forged = recordText(100).replace('get', 'create');
    const records = [...log.records.slice(0, 51), { seq: 50, leafBytes: forged, recordedLeafHash: leafHash(forged) }, ...log.records.slice(51)];
    records.push({ seq: 100, leafBytes: forged, recordedLeafHash: leafHash(forged) });
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([
      { from: 50, to: 51, kind: 'inserted' },
      { from: 100, to: 101, kind: 'inserted' },
    ]);
    expect(report.checkpoints.verified).toBe(10);
  });

  it('inserted: a foreign record took a seq and pushed the recorded one to the next seq', async () => {
    const log = honestLog(100);
    const forged = 'forged record';
    // Records renumbered from seq 60 on, leaf hashes left in place (a separate leaf table).
    const records = log.records.map((r) => {
      if (r.seq < 60) return r;
      return { ...r, leafBytes: r.seq === 60 ? forged : recordText(r.seq - 1) };
    });
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)[0]).toEqual({ from: 60, to: 61, kind: 'inserted' });
    expect(report.ranges.find((r) => r.kind === 'inserted')?.detail).toMatch(/the one recorded here now sits at seq 61/);
    expect(anomalies(report)[1]).toMatchObject({ from: 61, kind: 'reordered' });
  });

  it('reordered: two records swapped, leaf hashes left in place', async () => {
    const log = honestLog(100);
    const texts = swap(log.records.map((r) => r.leafBytes), 40, 42);
    const records = log.records.map((r, i) => ({ ...r, leafBytes: texts[i] }));
    const report = await verify({ records, checkpoints: log.checkpoints });
    expect(anomalies(report)).toEqual([
      { from: 40, to: 41, kind: 'reordered' },
      { from: 42, to: 43, kind: 'reordered' },
    ]);
    expect(report.ranges.find((r) => r.from === 40)?.detail).toBe('seq 40 holds the record the ledger recorded at seq 42');
    expect(report.checkpoints.verified).toBe(10);
  });

  it('whole rows swapped with their leaf hashes: caught by the signed root, localized to the interval', async () => {
    const log = honestLog(100);
    const rows = swap(log.records, 40, 42).map((r, i) => ({ ...r, seq: i }));
    const report = await verify({ records: rows, checkpoints: log.checkpoints });
    const [range] = anomalies(report);
    expect(anomalies(report)).toHaveLength(1);
    expect(range).toMatchObject({ kind: 'modified' });
    expect(range.from).toBeLessThanOrEqual(40);
    expect(range.to).toBeGreaterThan(42);
    expect(range.to).toBeLessThanOrEqual(50);
  });

  it('truncated: the store ends before its own checkpoints and a witness', async () => {
    const log = honestLog(100);
    const report = await verify({ records: log.records.slice(0, 80), checkpoints: log.checkpoints, witnesses: [{ witness: 'w1', note: log.noteAt(100) }] });
    expect(anomalies(report)).toEqual([{ from: 80, to: 100, kind: 'truncated' }]);
    expect(report.witnesses[0]).toMatchObject({ status: 'ahead-of-store', size: 100 });
  });

  it('truncated: an older copy of the whole store restored while a witness holds a newer checkpoint', async () => {
    const log = honestLog(100);
    const older = { records: log.records.slice(0, 80), checkpoints: log.checkpoints.slice(0, 8), ledgerSize: 80 };
    const report = await verify({ ...older, witnesses: [{ witness: 'offsite', note: log.noteAt(100) }] });
    expect(report.intact).toBe(false);
    expect(anomalies(report)).toEqual([{ from: 80, to: 100, kind: 'truncated' }]);
    expect(report.ranges.at(-1)?.detail).toMatch(/witness offsite's signed checkpoint of size 100 says the log had 100: .*rollback/);
    expect(report.checkpoints.verified).toBe(8);
  });

  it('fork: history rewritten and re-signed with the log key, caught only by the witness', async () => {
    const honest = honestLog(100);
    const rewritten = honestLog(100, 10, (seq) => (seq === 12 ? 'rewritten' : recordText(seq)));
    const report = await verify({ ...rewritten, witnesses: [{ witness: 'w1', note: honest.noteAt(60) }] });
    expect(report.checkpoints.verified).toBe(10);
    expect(report.witnesses[0]).toMatchObject({ status: 'forked', size: 60 });
    expect(anomalies(report)).toEqual([{ from: 0, to: 60, kind: 'modified' }]);
    expect(report.intact).toBe(false);
  });
});

describe('verifyLedger and retention', () => {
  /** A log whose record 95 is the signed retention record removing [0, 30). */
  function retainedLog() {
    const retentionText = JSON.stringify({ kind: 'vigil.retention', from: 0, to: 30 });
    const log = honestLog(100, 10, (seq) => (seq === 95 ? retentionText : recordText(seq)));
    const frontierAt30 = MerkleFrontier.empty();
    for (let seq = 0; seq < 30; seq++) frontierAt30.append(leafHash(recordText(seq)));
    const declaration: RetentionDeclaration = { from: 0, to: 30, declaredBy: 95, frontierAtTo: frontierAt30.serialize() };
    return { log, declaration };
  }

  it('expired: a removed range declared by an intact, signed retention record', async () => {
    const { log, declaration } = retainedLog();
    const report = await verify({ records: log.records.slice(30), checkpoints: log.checkpoints, retention: [declaration] });
    expect(report.intact).toBe(true);
    expect(anomalies(report)).toEqual([{ from: 0, to: 30, kind: 'expired' }]);
    expect(report.checkpoints).toMatchObject({ verified: 8, notCheckable: 2 });
  });

  it('expired: records removed but their leaf hashes kept, every checkpoint still verifies', async () => {
    const { log, declaration } = retainedLog();
    const records = log.records.map((r) => (r.seq < 30 ? { ...r, leafBytes: null } : r));
    const report = await verify({ records, checkpoints: log.checkpoints, retention: [{ ...declaration, frontierAtTo: undefined }] });
    expect(report.intact).toBe(true);
    expect(anomalies(report)).toEqual([{ from: 0, to: 30, kind: 'expired' }]);
    expect(report.checkpoints.verified).toBe(10);
  });

  it('deleted, not expired, when the retention record was altered', async () => {
    const { log, declaration } = retainedLog();
    const records = log.records.slice(30).map((r) => (r.seq === 95 ? { ...r, leafBytes: JSON.stringify({ kind: 'vigil.retention', from: 0, to: 60 }) } : r));
    const report = await verify({ records, checkpoints: log.checkpoints, retention: [declaration] });
    expect(anomalies(report)).toEqual([
      { from: 0, to: 30, kind: 'deleted' },
      { from: 95, to: 96, kind: 'modified' },
    ]);
    expect(report.ranges[0].detail).toMatch(/the removal is not authorised/);
  });

  it('deleted, not expired, when the declaring record is missing or not yet signed', async () => {
    const { log, declaration } = retainedLog();
    const missing = await verify({ records: log.records.slice(30), checkpoints: log.checkpoints, retention: [{ ...declaration, declaredBy: 150 }] });
    expect(anomalies(missing)[0]).toEqual({ from: 0, to: 30, kind: 'deleted' });
    const unsigned = await verify({ records: log.records.slice(30), checkpoints: log.checkpoints.slice(0, 9), retention: [declaration] });
    expect(anomalies(unsigned)).toEqual([{ from: 0, to: 30, kind: 'deleted' }]);
    expect(unsigned.uncovered).toEqual([{ from: 90, to: 100 }]);
  });
});

describe('verifyLedger and the checkpoints themselves', () => {
  it('reports a stored checkpoint signed by another key and a stored frontier that was altered', async () => {
    const log = honestLog(100);
    const impostor = honestLog(100, 10, recordText, generateSigningKey(ORIGIN));
    const checkpoints = log.checkpoints.map((c, i) => {
      if (i === 2) return impostor.checkpoints[2];
      if (i === 5) return { ...c, frontier: MerkleFrontier.empty().serialize() };
      return c;
    });
    const report = await verify({ records: log.records, checkpoints });
    expect(report.intact).toBe(false);
    expect(report.checkpoints.problems).toEqual([
      expect.stringMatching(/stored checkpoint rejected: checkpoint at size 30 carries no signature by vigil\/verify-test\+/),
      expect.stringMatching(/frontier stored with the checkpoint of size 60 does not fold to its signed root/),
    ]);
    expect(anomalies(report)).toEqual([]);
  });

  it('reports a witness whose checkpoint was not signed by the log key', async () => {
    const log = honestLog(100);
    const impostor = honestLog(100, 10, recordText, generateSigningKey(ORIGIN));
    const report = await verify({ ...log, witnesses: [{ witness: 'w1', note: impostor.noteAt(100) }] });
    expect(report.witnesses[0]).toMatchObject({ status: 'bad-signature', size: null });
    expect(report.intact).toBe(false);
  });

  it('refuses records out of order: the store query must sort by seq', async () => {
    const log = honestLog(100);
    await expect(verify({ records: swap(log.records, 3, 4), checkpoints: log.checkpoints })).rejects.toThrow(/ascending seq order; got seq 3 after 4/);
  });
});
