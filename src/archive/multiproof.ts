import { nodeHash } from '../ledger/merkle.js';
import { ProofError } from '../ledger/proofs.js';

/**
 * A multi-leaf inclusion proof: the node hashes that, together with a set of known leaves, rebuild
 * the RFC 9162 root of a tree of `size` leaves. One proof covers a whole segment, so its size grows
 * with the number of gaps in the segment's leaf indices times log2(size), not with its leaf count.
 *
 * Both sides walk the RFC tree (split at the largest power of two below n) left to right:
 *  - a node holding known leaves is descended into (a single known leaf is its own hash);
 *  - a node without known leaves that is a perfect, aligned subtree is one proof element;
 *  - a node without known leaves on the right edge (not perfect) is split like any other.
 * The proof lists the elements in the order this walk meets them.
 */

export const MULTIPROOF_FORMAT = 'vigil.multi-leaf-proof/v1';

/** The root of the perfect subtree over leaves [start, end) (end - start a power of two, start aligned to it). */
export type PerfectRoot = (start: number, end: number) => Promise<Buffer>;

export async function buildMultiProof(indices: readonly number[], size: number, perfectRoot: PerfectRoot): Promise<Buffer[]> {
  requireIndices(indices, size);
  const proof: Buffer[] = [];
  const walk = async (start: number, end: number, lo: number, hi: number): Promise<void> => {
    const n = end - start;
    if (lo === hi && isPerfect(start, n)) {
      proof.push(await perfectRoot(start, end));
      return;
    }
    if (n === 1) return;
    const split = start + largestPowerOfTwoBelow(n);
    const mid = lowerBound(indices, split, lo, hi);
    await walk(start, split, lo, mid);
    await walk(split, end, mid, hi);
  };
  await walk(0, size, 0, indices.length);
  return proof;
}

/** Rebuilds the root from the known leaves (ascending index, hash) and the proof; throws ProofError when they do not fit. */
export function rootFromMultiProof(leaves: ReadonlyArray<readonly [number, Buffer]>, size: number, proof: readonly Buffer[]): Buffer {
  const indices = leaves.map(([index]) => index);
  requireIndices(indices, size);
  let next = 0;
  const walk = (start: number, end: number, lo: number, hi: number): Buffer => {
    const n = end - start;
    if (lo === hi && isPerfect(start, n)) {
      if (next >= proof.length) throw new ProofError(`the multi-leaf proof has too few elements for a tree of size ${size}`);
      return proof[next++];
    }
    if (n === 1) return leaves[lo][1];
    const split = start + largestPowerOfTwoBelow(n);
    const mid = lowerBound(indices, split, lo, hi);
    return nodeHash(walk(start, split, lo, mid), walk(split, end, mid, hi));
  };
  const root = walk(0, size, 0, indices.length);
  if (next !== proof.length) throw new ProofError(`the multi-leaf proof has ${proof.length - next} elements too many for a tree of size ${size}`);
  return root;
}

function requireIndices(indices: readonly number[], size: number): void {
  if (indices.length === 0) throw new ProofError('a multi-leaf proof needs at least one leaf');
  for (let i = 0; i < indices.length; i++) {
    if (!Number.isSafeInteger(indices[i]) || indices[i] < 0 || indices[i] >= size) throw new ProofError(`leaf index ${indices[i]} is outside a tree of size ${size}`);
    if (i > 0 && indices[i] <= indices[i - 1]) throw new ProofError(`leaf indices must ascend without repeats; ${indices[i]} follows ${indices[i - 1]}`);
  }
}

function isPerfect(start: number, n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n && start % n === 0;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function lowerBound(values: readonly number[], wanted: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < wanted) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
