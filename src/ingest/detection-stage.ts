import { type Alert, alertToJson } from '../detect/alert.js';
import type { AlertStore } from '../detect/alert-store.js';
import { collectAlertChanges } from '../detect/collect-alert-changes.js';
import { Detector, type DetectorSnapshot } from '../detect/detector.js';
import type { CompiledRule } from '../detect/rule.js';
import type { VigilEvent } from '../model/event.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import { SqliteRuleStates, effectiveEnabled } from '../store/sqlite/rule-state.js';

/**
 * Runs the detection engine on what ingest and serve store, and keeps the alerts it opens or
 * grows in the alert store. Its window state is saved in the database so the next run (or a
 * restarted server) continues the same windows instead of starting blind.
 *
 * Rules an operator enabled or disabled (the `rule_state` table, written by the API and
 * `vigil rules enable|disable`) are honoured from the next batch or tick on, also when another
 * process made the change. A disabled rule's windows and open groupings are dropped: enabled
 * again, it starts fresh rather than firing on what it saw before.
 */
export class DetectionStage {
  private detector: Detector;
  private readonly saveState;
  private readonly ruleStates: SqliteRuleStates;
  private ruleStateVersion: number;

  constructor(
    private readonly rules: readonly CompiledRule[],
    private readonly alerts: AlertStore,
    db: SqliteDatabase,
  ) {
    this.ruleStates = new SqliteRuleStates(db);
    this.ruleStateVersion = this.ruleStates.version();
    this.detector = new Detector(this.effectiveRules());
    db.exec('CREATE TABLE IF NOT EXISTS detector_state (id INTEGER PRIMARY KEY CHECK (id = 1), snapshot TEXT NOT NULL)');
    this.saveState = db.prepare(
      'INSERT INTO detector_state (id, snapshot) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot',
    );
    const saved = db.prepare('SELECT snapshot FROM detector_state WHERE id = 1').pluck().get() as string | undefined;
    if (saved) this.detector.restore(JSON.parse(saved) as DetectorSnapshot);
  }

  /** Ids of the rules that run now. */
  get activeRuleIds(): string[] {
    return this.detector.engine.rules.map((rule) => rule.meta.id);
  }

  /** Events must be the ones newly stored (duplicates left out), in stream order. */
  async process(events: readonly VigilEvent[]): Promise<void> {
    const changed = new Map<string, Alert>();
    for (const closed of this.followRuleStates()) changed.set(closed.id, closed);
    collectAlertChanges(this.detector, events, changed);
    if (changed.size > 0) await this.alerts.upsertAlerts([...changed.values()].map(alertToJson));
  }

  /** Live use: advances time so silent streams are noticed and quiet alerts close. */
  async tick(now: number): Promise<void> {
    const changed = this.followRuleStates();
    changed.push(...this.detector.tick(now).map((change) => change.alert));
    changed.push(...this.detector.takeClosed());
    if (changed.length > 0) await this.alerts.upsertAlerts(changed.map(alertToJson));
  }

  saveWindows(): void {
    this.saveState.run(JSON.stringify(this.detector.snapshot()));
  }

  /**
   * Rebuilds the detector when the rule states changed, carrying over the windows and open
   * alerts of the rules that keep running. Returns the alerts closed before the switch.
   */
  private followRuleStates(): Alert[] {
    const version = this.ruleStates.version();
    if (version === this.ruleStateVersion) return [];
    this.ruleStateVersion = version;
    const closed = this.detector.takeClosed();
    const snapshot = this.detector.snapshot();
    this.detector = new Detector(this.effectiveRules());
    this.detector.restore(snapshot);
    return closed;
  }

  private effectiveRules(): CompiledRule[] {
    const states = this.ruleStates.all();
    return this.rules.map((rule) => {
      const enabled = effectiveEnabled(states, rule.meta.id, rule.enabled);
      return enabled === rule.enabled ? rule : { ...rule, enabled };
    });
  }
}
