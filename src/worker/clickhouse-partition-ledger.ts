import { type SigningKey, verifierKeyText } from '../ledger/checkpoint.js';
import type { WitnessOutcome } from '../ledger/checkpointer.js';
import { checkpointLog } from '../ledger/clickhouse-checkpointer.js';
import type { ClickHouseStore } from '../store/clickhouse/clickhouse-store.js';
import type { PartitionLedger } from './partition-ledger.js';

/**
 * A partition's log `p<N>` in the ClickHouse store, signed as `<key name>/p<N>` with the workers'
 * shared key; its checkpoints go to the `checkpoints` table and to `<witness dir>/p<N>`.
 */
export class ClickHousePartitionLedger implements PartitionLedger {
  readonly verifierKey: string;
  /** The log size of the newest checkpoint this writer made or saw; a round with no growth asks ClickHouse nothing. */
  private signedSize: number | undefined;

  constructor(
    private readonly store: ClickHouseStore,
    private readonly key: SigningKey,
    private readonly witnessDirs: readonly string[],
  ) {
    // The install's key: `vigil verify --store … --public-key` derives each log's own from it.
    this.verifierKey = verifierKeyText(key);
  }

  async checkpoint(options: { catchUp: boolean }): Promise<{ size: number | undefined; witnesses: readonly WitnessOutcome[] }> {
    if (!options.catchUp && this.store.treeSize === this.signedSize) return { size: this.signedSize, witnesses: [] };
    const outcome = await checkpointLog(this.store, this.key, this.witnessDirs, { publishUnchanged: options.catchUp });
    this.signedSize = outcome.latest?.size;
    return { size: this.signedSize, witnesses: outcome.witnesses };
  }
}
