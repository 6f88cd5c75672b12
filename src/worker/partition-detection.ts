import { type Alert, alertToJson } from '../detect/alert.js';
import type { AlertStore } from '../detect/alert-store.js';
import { Detector, type DetectorSnapshot } from '../detect/detector.js';
import type { CompiledRule } from '../detect/rule.js';
import type { VigilEvent } from '../model/event.js';
import { type StateStore, partitionLog } from './partition-store.js';

/** Per partition: a store's state may be shared by all partitions (ClickHouse keeps one state table per database). */
function stateKey(partition: number): string {
  return `detector/${partitionLog(partition)}`;
}

/**
 * Detection over one partition's events, its windows kept in the partition's store so that the
 * worker that takes the partition over continues them. Entity-keyed partitioning puts all of a
 * user's events here, so windows grouped by user see what the embedded mode sees.
 */
export class PartitionDetection {
  private constructor(
    private readonly detector: Detector,
    private readonly alerts: AlertStore,
    private readonly state: StateStore,
    private readonly key: string,
  ) {}

  static async open(partition: number, rules: readonly CompiledRule[], alerts: AlertStore, state: StateStore): Promise<PartitionDetection> {
    const detector = new Detector(rules);
    const key = stateKey(partition);
    const saved = await state.loadState(key);
    if (saved) detector.restore(JSON.parse(saved) as DetectorSnapshot);
    return new PartitionDetection(detector, alerts, state, key);
  }

  /** Events must be the ones newly stored (duplicates left out), in stream order. */
  async process(events: readonly VigilEvent[]): Promise<void> {
    const changed = new Map<string, Alert>();
    for (const event of events) {
      for (const change of this.detector.process(event)) {
        change.alert.entity.cluster ??= event.cluster;
        changed.set(change.alert.id, change.alert);
        if (change.closed) changed.set(change.closed.id, change.closed);
      }
    }
    for (const closed of this.detector.takeClosed()) changed.set(closed.id, closed);
    if (changed.size > 0) await this.alerts.upsertAlerts([...changed.values()].map(alertToJson));
  }

  async save(): Promise<void> {
    await this.state.saveState(this.key, JSON.stringify(this.detector.snapshot()));
  }
}
