import { createHash, hash } from 'node:crypto';

/**
 * RFC 9162 §2.1.1 hashing: SHA-256 with 0x00 / 0x01 domain separation of leaves and nodes.
 * The one-shot `crypto.hash` (Node >= 20.12) costs half of createHash() per call, which is what
 * `vigil verify` spends most of its time on.
 */

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = 0x01;

export function leafHash(data: string | Uint8Array): Buffer {
  // U+0000 is the single byte 0x00 in UTF-8, so prefixing the string is prefixing its bytes.
  if (typeof data === 'string') return hash('sha256', `\u0000${data}`, 'buffer');
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length);
  input[0] = NODE_PREFIX;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return hash('sha256', input, 'buffer');
}

export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/**
 * The right edge of a growing Merkle tree (a "compact range" from index 0): one hash per set
 * bit of the size, so appending is O(log n) and the root can be had at any moment without
 * rehashing earlier leaves.
 */
export class MerkleFrontier {
  private constructor(
    private treeSize: number,
    /** Perfect-subtree roots, largest (leftmost) first; one for every set bit of `treeSize`. */
    private readonly peaks: Buffer[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  get size(): number {
    return this.treeSize;
  }

  append(hash: Buffer): void {
    let merged = hash;
    // Each trailing 1 bit of the old size is a full subtree of equal height to merge with.
    for (let index = this.treeSize; (index & 1) === 1; index = Math.floor(index / 2)) {
      merged = nodeHash(this.peaks.pop() as Buffer, merged);
    }
    this.peaks.push(merged);
    this.treeSize += 1;
  }

  root(): Buffer {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let root = this.peaks[this.peaks.length - 1];
    for (let i = this.peaks.length - 2; i >= 0; i--) root = nodeHash(this.peaks[i], root);
    return root;
  }

  /** Fixed-width form for persisting beside the records it covers: 8-byte size, then the peaks. */
  serialize(): Buffer {
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(BigInt(this.treeSize));
    return Buffer.concat([size, ...this.peaks]);
  }

  static deserialize(bytes: Buffer): MerkleFrontier {
    const size = Number(bytes.readBigUInt64BE(0));
    const peaks: Buffer[] = [];
    for (let offset = 8; offset < bytes.length; offset += 32) peaks.push(Buffer.from(bytes.subarray(offset, offset + 32)));
    if (peaks.length !== popCount(size)) {
      throw new Error(`corrupt ledger frontier: size ${size} needs ${popCount(size)} peaks, found ${peaks.length}`);
    }
    return new MerkleFrontier(size, peaks);
  }

  /**
   * Leaf ranges [from, to) of the perfect subtrees whose roots differ between this frontier and
   * `other` of the same size: where the leaves behind two diverging roots must differ.
   */
  differingRanges(other: MerkleFrontier): Array<{ from: number; to: number }> {
    if (other.treeSize !== this.treeSize) {
      throw new Error(`cannot compare ledger frontiers of sizes ${this.treeSize} and ${other.treeSize}`);
    }
    const ranges: Array<{ from: number; to: number }> = [];
    let from = 0;
    this.peakWidths().forEach((width, i) => {
      if (!this.peaks[i].equals(other.peaks[i])) ranges.push({ from, to: from + width });
      from += width;
    });
    return ranges;
  }

  /** Leaves under each peak, largest first: the set bits of the size, high to low. */
  private peakWidths(): number[] {
    const widths: number[] = [];
    for (let bit = 1, rest = this.treeSize; rest > 0; bit *= 2, rest = Math.floor(rest / 2)) {
      if (rest % 2 === 1) widths.unshift(bit);
    }
    return widths;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.treeSize, [...this.peaks]);
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v & 1;
  return count;
}
