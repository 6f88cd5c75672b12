import { EMPTY_ROOT, nodeHash } from './merkle.js';

/**
 * RFC 9162 §2.1.3 / §2.1.4 inclusion and consistency proofs: generation from a store's leaf
 * hashes, and verification that needs nothing but the proof.
 *
 * Tree sizes go up to 2^53, so index arithmetic uses division, never the 32-bit bit operators.
 */

const HASH_BYTES = 32;

export type Awaitable<T> = T | Promise<T>;

/** Where proof generation reads the log: a store's table of leaf hashes, in leaf order. */
export interface LeafHashReader {
  /** Leaf hashes for indices [from, to), in order; `to - from` is at most 2^LEAF_READ_LEVEL. */
  readLeafHashes(from: number, to: number): Awaitable<readonly Buffer[]>;
}

/**
 * Optional memory of perfect-subtree roots keyed by (level, index): the subtree of 2^level leaves
 * starting at leaf index·2^level. In an append-only log a complete perfect subtree never changes,
 * so entries never go stale; a store that persists them makes every proof O(log n) reads.
 * Only levels >= LEAF_READ_LEVEL are asked for, so it holds at most one entry per 128 leaves.
 */
export interface SubtreeCache {
  get(level: number, index: number): Awaitable<Buffer | undefined>;
  set(level: number, index: number, hash: Buffer): Awaitable<void>;
}

/** Subtrees at or below this level are folded from one range read of their leaves (256 hashes). */
export const LEAF_READ_LEVEL = 8;

export class ProofError extends Error {
  override name = 'ProofError';
}

/**
 * Proof generation over a log of `size` leaves. Every range the RFC recursion asks for splits into
 * O(log n) perfect subtrees, each read once (or taken from the cache), so memory stays at one
 * 256-hash read plus the recursion depth.
 */
export class ProofGenerator {
  constructor(
    private readonly reader: LeafHashReader,
    private readonly cache?: SubtreeCache,
  ) {}

  /** MTH(D[0:size]). */
  async root(size: number): Promise<Buffer> {
    requireSize('tree size', size);
    return size === 0 ? EMPTY_ROOT : this.rangeRoot(0, size);
  }

  /** PATH(index, D[0:size]), ordered leaf to root. */
  async inclusionProof(index: number, size: number): Promise<Buffer[]> {
    requireSize('tree size', size);
    requireSize('leaf index', index);
    if (index >= size) throw new ProofError(`leaf index ${index} is outside a tree of size ${size}`);
    const proof: Buffer[] = [];
    await this.path(index, 0, size, proof);
    return proof;
  }

  /** PROOF(size1, D[0:size2]); empty when the sizes are equal. */
  async consistencyProof(size1: number, size2: number): Promise<Buffer[]> {
    requireSize('first tree size', size1);
    requireSize('second tree size', size2);
    if (size1 === 0 || size1 > size2) {
      throw new ProofError(`no consistency proof exists from size ${size1} to size ${size2}; need 0 < first <= second`);
    }
    const proof: Buffer[] = [];
    if (size1 < size2) await this.subproof(size1, 0, size2, true, proof);
    return proof;
  }

  /** RFC 9162 §2.1.3.1 PATH(m, D[start:end]), appending to `out` leaf-first. */
  private async path(m: number, start: number, end: number, out: Buffer[]): Promise<void> {
    const n = end - start;
    if (n === 1) return;
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      await this.path(m, start, start + k, out);
      out.push(await this.rangeRoot(start + k, end));
    } else {
      await this.path(m - k, start + k, end, out);
      out.push(await this.rangeRoot(start, start + k));
    }
  }

  /** RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:end], complete). */
  private async subproof(m: number, start: number, end: number, complete: boolean, out: Buffer[]): Promise<void> {
    const n = end - start;
    if (m === n) {
      if (!complete) out.push(await this.rangeRoot(start, end));
      return;
    }
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      await this.subproof(m, start, start + k, complete, out);
      out.push(await this.rangeRoot(start + k, end));
    } else {
      await this.subproof(m - k, start + k, end, false, out);
      out.push(await this.rangeRoot(start, start + k));
    }
  }

  /** MTH(D[start:end]) by the RFC's split; aligned power-of-two ranges are perfect subtrees. */
  private async rangeRoot(start: number, end: number): Promise<Buffer> {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) return this.perfectRoot(Math.log2(n), start / n);
    const k = largestPowerOfTwoBelow(n);
    return nodeHash(await this.rangeRoot(start, start + k), await this.rangeRoot(start + k, end));
  }

  private async perfectRoot(level: number, index: number): Promise<Buffer> {
    if (level < LEAF_READ_LEVEL) return this.foldLeaves(index * 2 ** level, (index + 1) * 2 ** level);
    const cached = await this.cache?.get(level, index);
    if (cached) return cached;
    const root =
      level === LEAF_READ_LEVEL
        ? await this.foldLeaves(index * 2 ** level, (index + 1) * 2 ** level)
        : nodeHash(await this.perfectRoot(level - 1, 2 * index), await this.perfectRoot(level - 1, 2 * index + 1));
    await this.cache?.set(level, index, root);
    return root;
  }

  private async foldLeaves(from: number, to: number): Promise<Buffer> {
    let level = [...(await this.reader.readLeafHashes(from, to))];
    if (level.length !== to - from) {
      throw new ProofError(`the ledger returned ${level.length} leaf hashes for [${from}, ${to}); the leaf table is incomplete`);
    }
    while (level.length > 1) {
      const parents: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) parents.push(nodeHash(level[i], level[i + 1]));
      level = parents;
    }
    return level[0];
  }
}

/**
 * RFC 9162 §2.1.3.2: checks that `leafHash` sits at `index` in the tree of `size` leaves whose root
 * is `root`. Throws ProofError saying what does not fit.
 */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  requireSize('tree size', size);
  requireSize('leaf index', index);
  if (index >= size) throw new ProofError(`leaf index ${index} is outside a tree of size ${size}`);
  requireHash('leaf hash', leafHash);
  proof.forEach((element, i) => requireHash(`inclusion proof element ${i}`, element));

  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new ProofError(`inclusion proof has too many elements for leaf ${index} in a tree of size ${size}`);
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!isOdd(fn) && fn !== 0);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError(`inclusion proof has too few elements for leaf ${index} in a tree of size ${size}`);
  if (!Buffer.from(r).equals(root)) throw new ProofError(`inclusion proof for leaf ${index} does not lead to the given root of size ${size}`);
}

/**
 * RFC 9162 §2.1.4.2: checks that the tree of `size1` leaves with `root1` is a prefix of the tree of
 * `size2` leaves with `root2`. As in transparency-dev/merkle, a proof from the empty tree is
 * meaningless and rejected; equal sizes need an empty proof and equal roots.
 */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  requireSize('first tree size', size1);
  requireSize('second tree size', size2);
  if (size1 > size2) throw new ProofError(`first tree size ${size1} is larger than second tree size ${size2}: that is a rollback, not growth`);
  if (size1 === 0) throw new ProofError('a consistency proof from the empty tree is meaningless; trust the first checkpoint directly');
  if (size1 === size2) {
    if (proof.length > 0) throw new ProofError(`trees of equal size ${size1} need an empty consistency proof, got ${proof.length} elements`);
    if (!Buffer.from(root1).equals(root2)) throw new ProofError(`two trees of size ${size1} have different roots: the log forked`);
    return;
  }
  if (proof.length === 0) throw new ProofError(`empty consistency proof from size ${size1} to ${size2}`);
  proof.forEach((element, i) => requireHash(`consistency proof element ${i}`, element));

  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError(`consistency proof from ${size1} to ${size2} has too many elements`);
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!isOdd(fn) && fn !== 0);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError(`consistency proof from ${size1} to ${size2} has too few elements`);
  if (!Buffer.from(fr).equals(root1)) throw new ProofError(`consistency proof does not reproduce the root of size ${size1}`);
  if (!Buffer.from(sr).equals(root2)) throw new ProofError(`consistency proof does not reproduce the root of size ${size2}`);
}

function requireSize(what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new ProofError(`${what} must be a whole number from 0 to 2^53-1, got ${value}`);
}

function requireHash(what: string, hash: Uint8Array): void {
  if (hash.length !== HASH_BYTES) throw new ProofError(`${what} is ${hash.length} bytes; SHA-256 hashes are ${HASH_BYTES}`);
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** k with k < n <= 2k, for n >= 2. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
