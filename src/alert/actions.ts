import type { AlertingState } from './alerting-state.js';
import type { LifecycleState } from './lifecycle.js';

/**
 * Acknowledging and resolving, as people (CLI, API) and auto-resolve do it: the transition,
 * the end of the alert's escalation and the notices to every receiver that was told about it
 * are one transaction. Needs no alerting config: the receivers to tell are on record.
 *
 * The lifecycle step comes last in each transaction because it appends to the ledger, and
 * nothing may fail after a ledger append within one transaction (see README of src/alert).
 */
export class AlertActions {
  constructor(private readonly state: AlertingState) {}

  acknowledge(alertId: string, by: string, reason: string, now: number): LifecycleState {
    return this.state.db.transaction(() => {
      this.state.escalations.stop(alertId);
      this.state.buffer.addForNotified(alertId, 'acknowledge', now);
      return this.state.lifecycle.acknowledge(alertId, by, reason, now);
    }).immediate();
  }

  resolve(alertId: string, by: string, reason: string, now: number): LifecycleState {
    return this.state.db.transaction(() => {
      this.state.escalations.stop(alertId);
      this.state.buffer.addForNotified(alertId, 'resolve', now);
      return this.state.lifecycle.resolve(alertId, by, reason, now);
    }).immediate();
  }
}
