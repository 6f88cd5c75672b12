import { describe, expect, it } from 'vitest';
import { MerkleFrontier, leafHash, nodeHash } from '../ledger/merkle.js';
import { ProofGenerator } from '../ledger/proofs.js';
import { buildMultiProof, rootFromMultiProof } from './multiproof.js';

function tree(size: number) {
  const leaves = Array.from({ length: size }, (_, i) => leafHash(`leaf ${i}`));
  const frontier = MerkleFrontier.empty();
  for (const leaf of leaves) frontier.append(leaf);
  const generator = new ProofGenerator({ readLeafHashes: (from, to) => leaves.slice(from, to) });
  const perfectRoot = (start: number, end: number) => new ProofGenerator({ readLeafHashes: (f, t) => leaves.slice(f + start, t + start) }).root(end - start);
  return { leaves, root: frontier.root(), generator, perfectRoot };
}

describe('multi-leaf proofs', () => {
  it('rebuild the RFC 9162 root for contiguous, scattered and single leaves of trees of many sizes', async () => {
    for (const size of [1, 2, 3, 7, 8, 13, 64, 100, 257]) {
      const { leaves, root, perfectRoot } = tree(size);
      const sets = [[0], [size - 1], Array.from({ length: size }, (_, i) => i), Array.from({ length: size }, (_, i) => i).filter((i) => i % 3 === 1), [Math.floor(size / 2)]];
      for (const indices of sets.filter((set) => set.length > 0)) {
        const proof = await buildMultiProof(indices, size, perfectRoot);
        expect(rootFromMultiProof(indices.map((i) => [i, leaves[i]] as const), size, proof)).toEqual(root);
      }
    }
  });

  it('needs only O(log n) hashes for a contiguous range', async () => {
    const { perfectRoot } = tree(1000);
    const proof = await buildMultiProof(Array.from({ length: 200 }, (_, i) => 300 + i), 1000, perfectRoot);
    expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1000)));
  });

  it('fails for an altered leaf, a wrong index, a dropped or an extra element', async () => {
    const size = 50;
    const { leaves, root, perfectRoot } = tree(size);
    const indices = [3, 4, 5, 20, 41];
    const proof = await buildMultiProof(indices, size, perfectRoot);
    const known = indices.map((i) => [i, leaves[i]] as const);
    const altered = known.map(([i, h]) => [i, i === 20 ? leafHash('forged') : h] as const);
    expect(rootFromMultiProof(altered, size, proof)).not.toEqual(root);
    const shifted = known.map(([i, h]) => [i === 41 ? 40 : i, h] as const);
    expect(rebuilt(shifted, size, proof)?.equals(root) ?? false).toBe(false);
    expect(() => rootFromMultiProof(known, size, proof.slice(1))).toThrow(/too few/);
    expect(() => rootFromMultiProof(known, size, [...proof, nodeHash(root, root)])).toThrow(/too many/);
  });
});

function rebuilt(leaves: ReadonlyArray<readonly [number, Buffer]>, size: number, proof: Buffer[]): Buffer | undefined {
  try {
    return rootFromMultiProof(leaves, size, proof);
  } catch {
    return undefined;
  }
}
