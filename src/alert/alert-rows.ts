import type { AlertStatus } from '../detect/alert-store.js';
import type { AlertJson } from '../detect/alert.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';

export interface AlertRow {
  alert: AlertJson;
  status: AlertStatus;
}

/**
 * The alerting side's access to the `alerts` table that SqliteAlertStore keeps
 * (src/store/sqlite/alert-store.ts): reading an alert and changing its status inside the
 * transaction that records the transition, which the async AlertStore interface cannot join.
 */
export class AlertRows {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    this.statements = {
      get: db.prepare('SELECT json, status FROM alerts WHERE id = ?'),
      setStatus: db.prepare('UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?'),
      firing: db.prepare(`SELECT json, status FROM alerts WHERE status IN ('open', 'acknowledged')`),
    };
  }

  get(id: string): AlertRow | undefined {
    const row = this.statements.get.get(id) as { json: string; status: AlertStatus } | undefined;
    return row ? { alert: JSON.parse(row.json) as AlertJson, status: row.status } : undefined;
  }

  setStatus(id: string, status: AlertStatus, now: number): void {
    this.statements.setStatus.run(status, now, id);
  }

  /** Alerts not resolved: the possible sources of inhibition. */
  firing(): AlertRow[] {
    return (this.statements.firing.all() as Array<{ json: string; status: AlertStatus }>).map((row) => ({ alert: JSON.parse(row.json) as AlertJson, status: row.status }));
  }
}
