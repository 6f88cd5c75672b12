import type { SqliteDatabase } from '../store/sqlite/database.js';
import { LeafTable, PersistedSubtreeCache } from '../store/sqlite/ledger-leaves.js';
import { ProofError, ProofGenerator } from '../ledger/proofs.js';
import type { PerfectRoot } from './multiproof.js';

/**
 * Perfect subtree roots of the store's ledger for building multi-leaf proofs: folded from the
 * `leaves` table, through the persisted subtree cache when `useCache` (the cache is untrusted:
 * callers check the finished proof against the signed root and rebuild without it on failure).
 */
export class StoreSubtrees {
  private readonly leaves: LeafTable;
  private readonly cache: PersistedSubtreeCache;

  constructor(db: SqliteDatabase) {
    this.leaves = new LeafTable(db);
    this.cache = new PersistedSubtreeCache(db);
  }

  perfectRoot(useCache: boolean): PerfectRoot {
    return async (start, end) => {
      const n = end - start;
      if (n === 1) {
        const [hash] = this.leaves.readLeafHashes(start, end);
        if (!hash) throw new ProofError(`the ledger has no leaf hash for seq ${start}`);
        return hash;
      }
      // Shifting by `start` keeps cache keys global: start is a multiple of n, so of every smaller subtree width.
      const reader = { readLeafHashes: (from: number, to: number) => this.leaves.readLeafHashes(from + start, to + start) };
      const cache = useCache
        ? {
            get: (level: number, index: number) => this.cache.get(level, index + start / 2 ** level),
            set: (level: number, index: number, hash: Buffer) => this.cache.set(level, index + start / 2 ** level, hash),
          }
        : undefined;
      return new ProofGenerator(reader, cache).root(n);
    };
  }

  flush(): void {
    this.cache.flush();
  }

  clear(): void {
    this.cache.clear();
  }
}
