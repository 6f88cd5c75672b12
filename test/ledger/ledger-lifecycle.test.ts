import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SigningKey, logOrigin, signCheckpoint, verifierKeyText } from '../../src/ledger/checkpoint.js';
import { leafBytes } from '../../src/ledger/leaf.js';
import { MerkleFrontier, leafHash } from '../../src/ledger/merkle.js';
import { buildProofBundle, verifyProofBundle } from '../../src/ledger/offline-verify.js';
import { ProofGenerator } from '../../src/ledger/proofs.js';
import { generateSigningKey, loadSigningKey, saveSigningKey } from '../../src/ledger/signing-key.js';
import { type StoredCheckpoint, type StoredRecord, verifyLedger } from '../../src/ledger/verify-stream.js';
import { DirectoryWitness, WitnessRollbackError } from '../../src/ledger/witness.js';
import { falcoTraceFiles } from '../helpers/fixtures.js';

/**
 * The ledger library end to end over the real Falco audit traces, the way the store and the CLI
 * will drive it: a key in the data directory, batches appended with a checkpoint after each,
 * every checkpoint copied to two witness directories, then verify, an offline proof, a rollback.
 */

const ORIGIN = logOrigin('lifecycle-test');

/** An in-memory stand-in for the store's tables: records, leaf hashes, checkpoints with frontiers. */
class LedgerTables {
  readonly leaves: string[] = [];
  readonly hashes: Buffer[] = [];
  readonly checkpoints: StoredCheckpoint[] = [];
  readonly frontier = MerkleFrontier.empty();
  readonly proofs = new ProofGenerator({ readLeafHashes: (from, to) => this.hashes.slice(from, to) });

  append(leaf: string): void {
    const hash = leafHash(leaf);
    this.leaves.push(leaf);
    this.hashes.push(hash);
    this.frontier.append(hash);
  }

  checkpoint(key: SigningKey, timestampMs: number): string {
    const note = signCheckpoint({ origin: ORIGIN, size: this.frontier.size, root: this.frontier.root(), timestampMs }, key);
    this.checkpoints.push({ note, frontier: this.frontier.serialize() });
    return note;
  }

  rows(upTo = this.leaves.length): StoredRecord[] {
    return this.leaves.slice(0, upTo).map((leaf, seq) => ({ seq, leafBytes: leaf, recordedLeafHash: this.hashes[seq] }));
  }
}

const fixtureLeaves = falcoTraceFiles().flatMap((path) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((record) => leafBytes({ source: 'k8s.audit', cluster: 'falco-traces', record })),
);

let dataDir: string;
let key: SigningKey;
let witnesses: DirectoryWitness[];
const tables = new LedgerTables();
const batchSize = 10;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'vigil-ledger-'));
  await saveSigningKey(join(dataDir, 'ledger.key'), generateSigningKey(ORIGIN));
  key = await loadSigningKey(join(dataDir, 'ledger.key'), ORIGIN);
  witnesses = [];
  for (const name of ['witness-a', 'witness-b']) {
    await mkdir(join(dataDir, name));
    witnesses.push(new DirectoryWitness(join(dataDir, name), key));
  }
  for (let start = 0; start < fixtureLeaves.length; start += batchSize) {
    for (const leaf of fixtureLeaves.slice(start, start + batchSize)) tables.append(leaf);
    const note = tables.checkpoint(key, 1_700_000_000_000 + start);
    for (const witness of witnesses) {
      const held = (await witness.latest())?.checkpoint.size ?? 0;
      const proof = held > 0 ? await tables.proofs.consistencyProof(held, tables.frontier.size) : [];
      expect(await witness.submit(note, proof)).toBe('accepted');
    }
  }
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function witnessHeads() {
  return Promise.all(witnesses.map(async (w, i) => ({ witness: `w${i}`, note: (await w.latest())?.note ?? null })));
}

describe('ledger lifecycle over the Falco audit traces', () => {
  it('ingested every fixture record', () => {
    expect(fixtureLeaves.length).toBeGreaterThan(40);
    expect(tables.checkpoints.length).toBe(Math.ceil(fixtureLeaves.length / batchSize));
  });

  it('verifies intact against its checkpoints and both witnesses', async () => {
    const report = await verifyLedger({
      records: tables.rows(),
      ledgerSize: tables.frontier.size,
      checkpoints: tables.checkpoints,
      witnesses: await witnessHeads(),
      retention: [],
      verifier: key,
    });
    expect(report.intact).toBe(true);
    expect(report.ranges).toEqual([{ from: 0, to: fixtureLeaves.length, kind: 'intact', detail: expect.any(String) }]);
    expect(report.witnesses.map((w) => w.status)).toEqual(['consistent', 'consistent']);
  });

  it('gives a proof for any record that an auditor verifies with only the public key text', async () => {
    const index = 17;
    const latest = tables.checkpoints.at(-1)?.note as string;
    const bundle = buildProofBundle(tables.leaves[index], index, await tables.proofs.inclusionProof(index, tables.frontier.size), latest);
    const verdict = verifyProofBundle(JSON.parse(JSON.stringify(bundle)), verifierKeyText(key));
    expect(verdict).toMatchObject({ valid: true, leafIndex: index, treeSize: fixtureLeaves.length });
  });

  it('catches an older copy of the store: the witnesses refuse it and verify names the missing tail', async () => {
    const keptCheckpoints = 2;
    const oldSize = keptCheckpoints * batchSize;
    await expect(witnesses[0].submit(tables.checkpoints[keptCheckpoints - 1].note, [])).rejects.toBeInstanceOf(WitnessRollbackError);

    const report = await verifyLedger({
      records: tables.rows(oldSize),
      ledgerSize: oldSize,
      checkpoints: tables.checkpoints.slice(0, keptCheckpoints),
      witnesses: await witnessHeads(),
      retention: [],
      verifier: key,
    });
    expect(report.intact).toBe(false);
    expect(report.ranges.filter((r) => r.kind !== 'intact').map(({ from, to, kind }) => ({ from, to, kind }))).toEqual([
      { from: oldSize, to: fixtureLeaves.length, kind: 'truncated' },
    ]);
    expect(report.witnesses.map((w) => w.status)).toEqual(['ahead-of-store', 'ahead-of-store']);
  });
});
