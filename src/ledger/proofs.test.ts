import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { leafHash } from './merkle.js';
import { type LeafHashReader, ProofGenerator, type SubtreeCache, verifyConsistency, verifyInclusion } from './proofs.js';

const VECTORS = fileURLToPath(new URL('../../../shared/fixtures/merkle/testdata', import.meta.url));

/** transparency-dev/merkle testonly LeafInputs(), the leaves every vector was generated from. */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) =>
  Buffer.from(hex, 'hex'),
);

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFilesUnder(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

function load<T>(kind: 'inclusion' | 'consistency'): Array<[string, T]> {
  const root = join(VECTORS, kind);
  return jsonFilesUnder(root).map((path) => [path.slice(root.length + 1), JSON.parse(readFileSync(path, 'utf8')) as T]);
}

const b64 = (text: string): Buffer => Buffer.from(text, 'base64');
const proofOf = (proof: string[] | null): Buffer[] => (proof ?? []).map(b64);

function outcome(check: () => void): 'accepted' | 'rejected' {
  try {
    check();
    return 'accepted';
  } catch {
    return 'rejected';
  }
}

function readerOver(hashes: Buffer[]): LeafHashReader & { reads: number } {
  return {
    reads: 0,
    readLeafHashes(from, to) {
      this.reads += 1;
      return hashes.slice(from, to);
    },
  };
}

describe('transparency-dev/merkle vectors', () => {
  const inclusion = load<InclusionVector>('inclusion');
  const consistency = load<ConsistencyVector>('consistency');

  it('found the vector files', () => {
    expect(inclusion.length).toBeGreaterThan(50);
    expect(consistency.length).toBeGreaterThan(50);
    expect(inclusion.filter(([, v]) => v.wantErr).length).toBeGreaterThan(40);
    expect(consistency.filter(([, v]) => v.wantErr).length).toBeGreaterThan(40);
  });

  it.each(inclusion)('inclusion %s', (_name, v) => {
    const result = outcome(() => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), proofOf(v.proof), b64(v.root)));
    expect(result).toBe(v.wantErr ? 'rejected' : 'accepted');
  });

  it.each(consistency)('consistency %s', (_name, v) => {
    const result = outcome(() => verifyConsistency(v.size1, v.size2, proofOf(v.proof), b64(v.root1), b64(v.root2)));
    expect(result).toBe(v.wantErr ? 'rejected' : 'accepted');
  });

  it('generates exactly the happy-path proofs of the vectors', async () => {
    const generator = new ProofGenerator(readerOver(LEAF_INPUTS.map((input) => leafHash(input))));
    // The numbered folders are built from LEAF_INPUTS; single-entry/ and additional/ use other leaves.
    const fromLeafInputs = (name: string): boolean => /^\d+\//.test(name);
    const happyInclusion = inclusion.filter(([name, v]) => fromLeafInputs(name) && !v.wantErr);
    const happyConsistency = consistency.filter(([name, v]) => fromLeafInputs(name) && !v.wantErr);
    expect(happyInclusion.length).toBeGreaterThan(3);
    expect(happyConsistency.length).toBeGreaterThan(3);
    for (const [, v] of happyInclusion) {
      expect((await generator.inclusionProof(v.leafIdx, v.treeSize)).map((h) => h.toString('base64'))).toEqual(v.proof ?? []);
      expect((await generator.root(v.treeSize)).toString('base64')).toBe(v.root);
    }
    for (const [, v] of happyConsistency) {
      expect((await generator.consistencyProof(v.size1, v.size2)).map((h) => h.toString('base64'))).toEqual(v.proof ?? []);
    }
  });
});

describe('RFC 9162 worked example (7 leaves)', () => {
  const leaves = LEAF_INPUTS.slice(0, 7).map((input) => leafHash(input));
  const generator = new ProofGenerator(readerOver(leaves));

  it('has the published roots', async () => {
    expect((await generator.root(7)).toString('hex')).toBe('ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c');
    expect((await generator.root(0)).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the PROOF(4, D[7]) = [l] shape', async () => {
    const proof = await generator.consistencyProof(4, 7);
    expect(proof).toHaveLength(1);
    expect(proof[0].equals(await new ProofGenerator(readerOver(leaves.slice(4))).root(3))).toBe(true);
  });
});

describe('ProofGenerator against verification, every shape up to 40 leaves', () => {
  const leaves = Array.from({ length: 40 }, (_, i) => leafHash(`record ${i}`));
  const generator = new ProofGenerator(readerOver(leaves));

  it('every inclusion proof verifies, and fails for the neighbouring leaf', async () => {
    for (let size = 1; size <= leaves.length; size++) {
      const root = await generator.root(size);
      for (let index = 0; index < size; index++) {
        const proof = await generator.inclusionProof(index, size);
        expect(() => verifyInclusion(index, size, leaves[index], proof, root)).not.toThrow();
        const other = leaves[(index + 1) % size];
        if (size > 1) expect(() => verifyInclusion(index, size, other, proof, root)).toThrow(/does not lead to the given root/);
      }
    }
  });

  it('every consistency proof verifies, and fails against a different history', async () => {
    const forked = new ProofGenerator(readerOver(leaves.map((hash, i) => (i === 2 ? leafHash('forged') : hash))));
    for (let size2 = 1; size2 <= leaves.length; size2++) {
      const root2 = await generator.root(size2);
      for (let size1 = 1; size1 <= size2; size1++) {
        const proof = await generator.consistencyProof(size1, size2);
        const root1 = await generator.root(size1);
        expect(() => verifyConsistency(size1, size2, proof, root1, root2)).not.toThrow();
        if (size1 > 2) {
          const forkedRoot1 = await forked.root(size1);
          expect(() => verifyConsistency(size1, size2, proof, forkedRoot1, root2)).toThrow();
        }
      }
    }
  });

  it('rejects what is not a proof request', async () => {
    await expect(generator.inclusionProof(5, 5)).rejects.toThrow(/outside a tree of size 5/);
    await expect(generator.consistencyProof(0, 5)).rejects.toThrow(/0 < first <= second/);
    await expect(generator.consistencyProof(6, 5)).rejects.toThrow(/0 < first <= second/);
    expect(() => verifyConsistency(6, 5, [], leaves[0], leaves[1])).toThrow(/rollback/);
  });
});

describe('ProofGenerator with a subtree cache', () => {
  it('reads each perfect subtree once, then answers from the cache', async () => {
    const size = 5000;
    const leaves = Array.from({ length: size }, (_, i) => leafHash(`r${i}`));
    const reader = readerOver(leaves);
    const entries = new Map<string, Buffer>();
    const cache: SubtreeCache = {
      get: (level, index) => entries.get(`${level}/${index}`),
      set: (level, index, hash) => void entries.set(`${level}/${index}`, hash),
    };
    const generator = new ProofGenerator(reader, cache);
    const root = await generator.root(size);
    expect(root.equals(await new ProofGenerator(readerOver(leaves)).root(size))).toBe(true);

    const readsBefore = reader.reads;
    const proof = await generator.inclusionProof(17, size);
    verifyInclusion(17, size, leaves[17], proof, root);
    // Only the small subtrees below the cached level are read again: one range read per level.
    expect(reader.reads - readsBefore).toBeLessThanOrEqual(16);
    expect(entries.size).toBeLessThanOrEqual(Math.ceil(size / 128));
  });

  it('names an incomplete leaf table', async () => {
    const generator = new ProofGenerator({ readLeafHashes: () => [] });
    await expect(generator.root(3)).rejects.toThrow(/returned 0 leaf hashes for \[0, 2\)/);
  });
});
