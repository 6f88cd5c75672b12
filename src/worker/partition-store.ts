import type { Store } from '../store/store.js';

/** Where a partition keeps its detection windows, so whichever worker owns it next continues them. */
export interface StateStore {
  loadState(key: string): Promise<string | undefined>;
  saveState(key: string, value: string): Promise<void>;
}

/** A partition's own store: its records, its quarantine, its ledger (log `p<N>`) and its detector state. */
export interface PartitionStore extends Store, StateStore {}

/** Opens the store of one partition; injected so that workers run on SQLite or ClickHouse alike. */
export type PartitionStoreFactory<S extends PartitionStore = PartitionStore> = (partition: number) => Promise<S>;

export function partitionLog(partition: number): string {
  return `p${partition}`;
}
