import { type Alert, alertToJson } from '../detect/alert.js';
import type { AlertStore } from '../detect/alert-store.js';
import { collectAlertChanges } from '../detect/collect-alert-changes.js';
import { Detector, type DetectorSnapshot } from '../detect/detector.js';
import type { CompiledRule } from '../detect/rule.js';
import type { VigilEvent } from '../model/event.js';
import { type StateStore, partitionLog } from './partition-store.js';

/** Per partition: a store's state may be shared by all partitions (ClickHouse keeps one state table per database). */
function stateKey(partition: number): string {
  return `detector/${partitionLog(partition)}`;
}

/**
 * The rules that give the embedded mode's answer on one partition. Absence rules cannot: a
 * partition holds only some entities' events, so a stream that is busy cluster-wide can look
 * silent in it.
 */
export function partitionableRules(rules: readonly CompiledRule[]): { rules: CompiledRule[]; leftOut: string[] } {
  const kept = rules.filter((rule) => rule.operator.kind !== 'absence');
  return { rules: kept, leftOut: rules.filter((rule) => rule.operator.kind === 'absence').map((rule) => rule.meta.id) };
}

/**
 * Detection over one partition's events, its windows kept in the partition's store so that the
 * worker that takes the partition over continues them. Entity-keyed partitioning puts all of a
 * user's events here, so windows grouped by user see what the embedded mode sees.
 */
export class PartitionDetection {
  /** Alert changes not yet written: kept across a failed write, since the events that made them are already stored and will not come back as new. */
  private readonly unwritten = new Map<string, Alert>();

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
    const changed = this.unwritten;
    collectAlertChanges(this.detector, events, changed);
    if (changed.size === 0) return;
    await this.alerts.upsertAlerts([...changed.values()].map(alertToJson));
    changed.clear();
  }

  async save(): Promise<void> {
    await this.state.saveState(this.key, JSON.stringify(this.detector.snapshot()));
  }
}
