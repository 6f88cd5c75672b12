import { type Alert, alertToJson } from '../detect/alert.js';
import type { AlertStore } from '../detect/alert-store.js';
import { Detector, type DetectorSnapshot } from '../detect/detector.js';
import type { CompiledRule } from '../detect/rule.js';
import type { VigilEvent } from '../model/event.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';

/**
 * Runs the detection engine on what ingest and serve store, and keeps the alerts it opens or
 * grows in the alert store. Its window state is saved in the database so the next run (or a
 * restarted server) continues the same windows instead of starting blind.
 */
export class DetectionStage {
  private readonly detector: Detector;
  private readonly saveState;

  constructor(
    rules: readonly CompiledRule[],
    private readonly alerts: AlertStore,
    db: SqliteDatabase,
  ) {
    this.detector = new Detector(rules);
    db.exec('CREATE TABLE IF NOT EXISTS detector_state (id INTEGER PRIMARY KEY CHECK (id = 1), snapshot TEXT NOT NULL)');
    this.saveState = db.prepare(
      'INSERT INTO detector_state (id, snapshot) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot',
    );
    const saved = db.prepare('SELECT snapshot FROM detector_state WHERE id = 1').pluck().get() as string | undefined;
    if (saved) this.detector.restore(JSON.parse(saved) as DetectorSnapshot);
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

  /** Live use: advances time so silent streams are noticed and quiet alerts close. */
  async tick(now: number): Promise<void> {
    const changed = this.detector.tick(now).map((change) => change.alert);
    changed.push(...this.detector.takeClosed());
    if (changed.length > 0) await this.alerts.upsertAlerts(changed.map(alertToJson));
  }

  saveWindows(): void {
    this.saveState.run(JSON.stringify(this.detector.snapshot()));
  }
}
