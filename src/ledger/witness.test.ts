import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SigningKey, signCheckpoint } from './checkpoint.js';
import { leafHash } from './merkle.js';
import { ProofGenerator } from './proofs.js';
import { generateSigningKey } from './signing-key.js';
import { DirectoryWitness, WitnessBadSignatureError, WitnessForkError, WitnessRejectedError, WitnessRollbackError } from './witness.js';

const ORIGIN = 'vigil/test-install';
const key = generateSigningKey(ORIGIN);

/** An in-memory log: leaf hashes, proofs, and checkpoints signed at any size. */
function log(records: string[], signer: SigningKey = key) {
  const hashes = records.map((record) => leafHash(record));
  const proofs = new ProofGenerator({ readLeafHashes: (from, to) => hashes.slice(from, to) });
  return {
    proofs,
    async checkpoint(size: number, timestampMs = 1_000 + size): Promise<string> {
      return signCheckpoint({ origin: ORIGIN, size, root: await proofs.root(size), timestampMs }, signer);
    },
  };
}

const records = Array.from({ length: 20 }, (_, i) => `record ${i}`);
const honest = log(records);

let dir: string;
let witness: DirectoryWitness;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-witness-'));
  witness = new DirectoryWitness(dir, key);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function historyLines(): Promise<string[]> {
  return (await readFile(join(dir, 'history.ndjson'), 'utf8')).trim().split('\n');
}

describe('DirectoryWitness', () => {
  it('trusts the first checkpoint, then only consistent growth', async () => {
    expect(await witness.latest()).toBeNull();
    expect(await witness.submit(await honest.checkpoint(5), [])).toBe('accepted');
    expect(await witness.submit(await honest.checkpoint(12), await honest.proofs.consistencyProof(5, 12))).toBe('accepted');

    const held = await witness.latest();
    expect(held?.checkpoint.size).toBe(12);
    expect(held?.note).toBe(await honest.checkpoint(12));
    const history = await historyLines();
    expect(history).toHaveLength(2);
    expect(JSON.parse(history[1]).checkpoint).toBe(await honest.checkpoint(12));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint', 'history.ndjson', 'verifier-key']);
  });

  it('rejects a smaller checkpoint as a rollback and keeps what it holds', async () => {
    await witness.submit(await honest.checkpoint(12), []);
    const rollback = witness.submit(await honest.checkpoint(8), []);
    await expect(rollback).rejects.toBeInstanceOf(WitnessRollbackError);
    await expect(witness.submit(await honest.checkpoint(8), [])).rejects.toThrow(/holds a checkpoint of size 12; refusing size 8/);
    expect((await witness.latest())?.checkpoint.size).toBe(12);
  });

  it('rejects another root at the same size as a fork', async () => {
    const rewritten = log(records.map((r, i) => (i === 3 ? 'forged' : r)));
    await witness.submit(await honest.checkpoint(12), []);
    await expect(witness.submit(await rewritten.checkpoint(12), [])).rejects.toBeInstanceOf(WitnessForkError);
  });

  it('rejects a rewritten history that grew past the held size, even with its own valid proof', async () => {
    const rewritten = log(records.map((r, i) => (i === 3 ? 'forged' : r)));
    await witness.submit(await honest.checkpoint(6), []);
    const attempt = witness.submit(await rewritten.checkpoint(15), await rewritten.proofs.consistencyProof(6, 15));
    await expect(attempt).rejects.toBeInstanceOf(WitnessForkError);
    await expect(witness.submit(await rewritten.checkpoint(15), await rewritten.proofs.consistencyProof(6, 15))).rejects.toThrow(
      /does not extend the held one of size 6/,
    );
    expect((await witness.latest())?.checkpoint.size).toBe(6);
  });

  it('rejects growth whose proof was altered or left out', async () => {
    await witness.submit(await honest.checkpoint(6), []);
    const proof = await honest.proofs.consistencyProof(6, 15);
    const altered = proof.map((hash, i) => (i === 1 ? Buffer.from(hash).fill(7, 0, 1) : hash));
    await expect(witness.submit(await honest.checkpoint(15), altered)).rejects.toBeInstanceOf(WitnessForkError);
    await expect(witness.submit(await honest.checkpoint(15), [])).rejects.toBeInstanceOf(WitnessForkError);
  });

  it('rejects a checkpoint not signed by the log key, and a different key than the pinned one', async () => {
    const impostor = generateSigningKey(ORIGIN);
    const forged = log(records, impostor);
    await expect(witness.submit(await forged.checkpoint(5), [])).rejects.toBeInstanceOf(WitnessBadSignatureError);
    await expect(witness.submit('not a checkpoint\n', [])).rejects.toBeInstanceOf(WitnessBadSignatureError);

    await witness.submit(await honest.checkpoint(5), []);
    const swappedKey = new DirectoryWitness(dir, impostor);
    await expect(swappedKey.submit(await forged.checkpoint(9), [])).rejects.toThrow(/is pinned to key .*replace verifier-key by hand/);
  });

  it('answers unchanged for the same tree, and takes a fresher signature of it', async () => {
    await witness.submit(await honest.checkpoint(7, 5_000), []);
    expect(await witness.submit(await honest.checkpoint(7, 5_000), [])).toBe('unchanged');
    expect(await witness.submit(await honest.checkpoint(7, 4_000), [])).toBe('unchanged');
    expect(await witness.submit(await honest.checkpoint(7, 6_000), [])).toBe('accepted');
    expect((await witness.latest())?.checkpoint.timestampMs).toBe(6_000);
    expect(await historyLines()).toHaveLength(2);
  });

  it('refuses a witness directory that does not exist', async () => {
    const missing = new DirectoryWitness(join(dir, 'not-mounted'), key);
    await expect(missing.submit(await honest.checkpoint(3), [])).rejects.toThrow(/witness directory .*not-mounted does not exist/);
  });

  it('all rejections share one base type', async () => {
    await witness.submit(await honest.checkpoint(9), []);
    await expect(witness.submit(await honest.checkpoint(2), [])).rejects.toBeInstanceOf(WitnessRejectedError);
  });
});
