import type { SqliteDatabase } from '../store/sqlite/database.js';
import { ProofError } from '../ledger/proofs.js';
import { buildMultiProof, rootFromMultiProof } from './multiproof.js';
import { StoreSubtrees } from './store-subtrees.js';

/**
 * The multi-leaf proof of a segment's leaves (ascending seq) to a signed root, checked before it
 * is written: built through the subtree cache first, rebuilt from the leaves alone if the cache
 * made it wrong.
 */
export async function provenSegmentProof(db: SqliteDatabase, leaves: ReadonlyArray<readonly [number, Buffer]>, size: number, root: Buffer): Promise<Buffer[]> {
  const subtrees = new StoreSubtrees(db);
  const seqs = leaves.map(([seq]) => seq);
  const attempt = async (useCache: boolean): Promise<Buffer[] | undefined> => {
    const proof = await buildMultiProof(seqs, size, subtrees.perfectRoot(useCache));
    return rootFromMultiProof(leaves, size, proof).equals(root) ? proof : undefined;
  };
  const cached = await attempt(true);
  if (cached) {
    subtrees.flush();
    return cached;
  }
  subtrees.clear();
  const rebuilt = await attempt(false);
  if (!rebuilt) throw new ProofError(`the ledger's leaf hashes do not rebuild the signed root of size ${size}: the leaves table was altered; run vigil verify`);
  return rebuilt;
}
