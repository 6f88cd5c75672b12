import type { AlertJson } from '../detect/alert.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';

export interface InboxItem {
  seq: number;
  alert: AlertJson;
}

/**
 * Alerts the detection stage opened or grew, written before they are upserted, taken off only
 * in the transaction that evaluated them: a crash in between leaves them here for the next
 * start instead of losing their notifications.
 */
export class AlertInbox {
  private readonly statements;

  constructor(private readonly db: SqliteDatabase) {
    db.exec('CREATE TABLE IF NOT EXISTS alert_inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, json TEXT NOT NULL, received_at INTEGER NOT NULL)');
    this.statements = {
      add: db.prepare('INSERT INTO alert_inbox (json, received_at) VALUES (?, ?)'),
      after: db.prepare('SELECT seq, json FROM alert_inbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      remove: db.prepare('DELETE FROM alert_inbox WHERE seq = ?'),
    };
  }

  add(alerts: readonly AlertJson[], now: number): void {
    this.db.transaction(() => {
      for (const alert of alerts) this.statements.add.run(JSON.stringify(alert), now);
    })();
  }

  /** Items in arrival order, after `seq`. */
  after(seq: number, limit: number): InboxItem[] {
    return (this.statements.after.all(seq, limit) as Array<{ seq: number; json: string }>).map((row) => ({ seq: row.seq, alert: JSON.parse(row.json) as AlertJson }));
  }

  remove(seq: number): void {
    this.statements.remove.run(seq);
  }
}
