import type { AlertJson } from '../../detect/alert.js';
import { severityRank } from '../../detect/alert.js';
import type { AlertFilter, AlertStatus, AlertStore, StoredAlert } from '../../detect/alert-store.js';
import type { SqliteDatabase } from './database.js';

interface AlertRow {
  json: string;
  status: AlertStatus;
  cluster: string;
  updated_at: number;
}

/** Alerts in the embedded database, one row per alert id, its latest state as JSON beside the columns filters use. */
export class SqliteAlertStore implements AlertStore {
  private readonly upsert;

  constructor(private readonly db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS alerts (
      id TEXT PRIMARY KEY,
      rule_id TEXT NOT NULL,
      severity_rank INTEGER NOT NULL,
      cluster TEXT NOT NULL,
      status TEXT NOT NULL,
      first_seen INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      json TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alerts_last_seen ON alerts (last_seen);`);
    this.upsert = db.prepare(`INSERT INTO alerts (id, rule_id, severity_rank, cluster, status, first_seen, last_seen, json, updated_at)
      VALUES (@id, @ruleId, @rank, @cluster, 'open', @firstSeen, @lastSeen, @json, @now)
      ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, json = excluded.json, updated_at = excluded.updated_at`);
  }

  async upsertAlerts(alerts: readonly AlertJson[]): Promise<void> {
    const now = Date.now();
    this.db.transaction(() => {
      for (const alert of alerts) {
        this.upsert.run({
          id: alert.id,
          ruleId: alert.rule.id,
          rank: severityRank(alert.rule.severity),
          cluster: alert.entity.cluster ?? '',
          firstSeen: Date.parse(alert.firstSeen),
          lastSeen: Date.parse(alert.lastSeen),
          json: JSON.stringify(alert),
          now,
        });
      }
    })();
  }

  async listAlerts(filter: AlertFilter): Promise<StoredAlert[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, value: unknown) => {
      where.push(clause);
      params.push(value);
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.severity) add('severity_rank >= ?', severityRank(filter.severity));
    if (filter.ruleId) add('rule_id = ?', filter.ruleId);
    if (filter.cluster) add('cluster = ?', filter.cluster);
    if (filter.since !== undefined) add('last_seen >= ?', filter.since);
    const sql = `SELECT json, status, cluster, updated_at FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY last_seen DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, filter.limit ?? 1000) as AlertRow[];
    return rows.map(toStoredAlert);
  }

  async getAlert(id: string): Promise<StoredAlert | undefined> {
    const row = this.db.prepare('SELECT json, status, cluster, updated_at FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row ? toStoredAlert(row) : undefined;
  }

  async setAlertStatus(id: string, status: AlertStatus): Promise<boolean> {
    return this.db.prepare('UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?').run(status, Date.now(), id).changes > 0;
  }
}

function toStoredAlert(row: AlertRow): StoredAlert {
  const alert = JSON.parse(row.json) as AlertJson;
  return { ...alert, status: row.status, cluster: row.cluster, updatedAt: new Date(row.updated_at).toISOString() };
}
