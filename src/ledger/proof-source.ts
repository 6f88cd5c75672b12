import type { SqliteDatabase } from '../store/sqlite/database.js';
import { CheckpointTable } from '../store/sqlite/ledger-checkpoints.js';
import { LeafTable, PersistedSubtreeCache } from '../store/sqlite/ledger-leaves.js';
import { MerkleFrontier } from './merkle.js';
import { ProofError, ProofGenerator, type SubtreeCache, verifyConsistency, verifyInclusion } from './proofs.js';

/**
 * Inclusion and consistency proofs over the store's `leaves` table. Subtree roots come from the
 * frontiers stored with signed checkpoints (trusted only when they fold to the signed root), then
 * from the persisted subtree cache, then from the leaves. Every proof is checked against the
 * signed roots before it is handed out; if a cached subtree made it wrong, the cache is dropped
 * and the proof rebuilt from the leaves alone.
 */
export class LedgerProofs {
  private readonly leaves: LeafTable;
  private readonly checkpoints: CheckpointTable;
  private readonly persisted: PersistedSubtreeCache;

  constructor(db: SqliteDatabase) {
    this.leaves = new LeafTable(db);
    this.checkpoints = new CheckpointTable(db);
    this.persisted = new PersistedSubtreeCache(db);
  }

  /** PROOF(size1, size2), checked against the two roots. Throws ProofError when the leaves cannot give a valid one. */
  async consistencyProof(size1: number, root1: Buffer, size2: number, root2: Buffer): Promise<Buffer[]> {
    const check = (proof: Buffer[]) => verifyConsistency(size1, size2, proof, root1, root2);
    return this.validated((generator) => generator.consistencyProof(size1, size2), check, [size1, size2], [root1, root2]);
  }

  /** PATH(index, size), checked against the root with the leaf hash recorded for `index`. */
  async inclusionProof(index: number, size: number, root: Buffer): Promise<Buffer[]> {
    const [leaf] = this.leaves.readLeafHashes(index, index + 1);
    if (!leaf) throw new ProofError(`the ledger has no leaf hash for seq ${index}`);
    const check = (proof: Buffer[]) => verifyInclusion(index, size, leaf, proof, root);
    return this.validated((generator) => generator.inclusionProof(index, size), check, [size], [root]);
  }

  private async validated(
    build: (generator: ProofGenerator) => Promise<Buffer[]>,
    check: (proof: Buffer[]) => void,
    sizes: number[],
    roots: Buffer[],
  ): Promise<Buffer[]> {
    const peaks = this.signedPeaks(sizes, roots);
    const proof = await build(new ProofGenerator(this.leaves, layered(peaks, this.persisted)));
    try {
      check(proof);
      this.persisted.flush();
      return proof;
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
    }
    this.persisted.clear();
    const rebuilt = await build(new ProofGenerator(this.leaves, layered(peaks)));
    check(rebuilt);
    return rebuilt;
  }

  /** Perfect subtree roots known from the frontiers stored with the checkpoints at these sizes. */
  private signedPeaks(sizes: number[], roots: Buffer[]): Map<string, Buffer> {
    const peaks = new Map<string, Buffer>();
    sizes.forEach((size, i) => {
      const stored = this.checkpoints.atSize(size);
      if (!stored) return;
      try {
        const frontier = MerkleFrontier.deserialize(stored.frontier);
        if (frontier.size === size && frontier.root().equals(roots[i])) addPeaks(peaks, stored.frontier);
      } catch {
        // An unreadable frontier is simply not used.
      }
    });
    return peaks;
  }
}

/** Peaks of a serialized frontier keyed `level/index`: the set bits of the size, largest subtree first. */
export function addPeaks(into: Map<string, Buffer>, serialized: Buffer): void {
  const size = Number(serialized.readBigUInt64BE(0));
  let from = 0;
  let offset = 8;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (Math.floor(size / width) % 2 === 1) {
      into.set(`${level}/${from / width}`, Buffer.from(serialized.subarray(offset, offset + 32)));
      from += width;
      offset += 32;
    }
  }
}

function layered(peaks: Map<string, Buffer>, persisted?: SubtreeCache): SubtreeCache {
  return {
    get: (level, index) => peaks.get(`${level}/${index}`) ?? persisted?.get(level, index),
    set: (level, index, hash) => persisted?.set(level, index, hash),
  };
}
