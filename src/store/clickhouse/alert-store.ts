import type { AlertJson } from '../../detect/alert.js';
import { severityRank } from '../../detect/alert.js';
import type { AlertFilter, AlertStatus, AlertStore, StoredAlert } from '../../detect/alert-store.js';
import { clickhouseLiteral } from '../../query/clickhouse-dialect.js';
import { ClickHouseConnection } from './connection.js';
import { parseClickHouseUrl } from './url.js';

/**
 * Alerts in ClickHouse, shared by every worker and API server of the scale-out. ClickHouse has no
 * UPDATE worth the name, so each change is a new row with a higher version and reads take the
 * latest (argMax: right before and after ReplacingMergeTree merges the old versions away).
 * The alert's content and its status live in two tables: a worker growing an alert and a
 * responder acknowledging it write different rows, so neither overwrites the other, and the
 * status survives later upserts exactly as in SqliteAlertStore.
 */

const TABLES = [
  `CREATE TABLE IF NOT EXISTS alerts (
    id String,
    rule_id String,
    severity_rank UInt8,
    cluster String,
    first_seen Int64,
    last_seen Int64,
    json String,
    updated_at Int64,
    version UInt64
  ) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
  `CREATE TABLE IF NOT EXISTS alert_status (id String, status String, updated_at Int64, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
];

const DEFAULT_LIMIT = 1000;

interface AlertRow {
  json: string;
  status: string;
  cluster: string;
  updated_at: number;
}

export class ClickHouseAlertStore implements AlertStore {
  private lastVersion = 0;

  private constructor(
    private readonly connection: ClickHouseConnection,
    private readonly ownsConnection: boolean,
  ) {}

  /** Connects to `clickhouse://…/database` and creates the alert tables when missing. */
  static async open(url: string): Promise<ClickHouseAlertStore> {
    const connection = await ClickHouseConnection.open(parseClickHouseUrl(url));
    try {
      return await ClickHouseAlertStore.on(connection, true);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Uses an open connection (e.g. `ClickHouseStore.connection`); close() then leaves it open. */
  static async on(connection: ClickHouseConnection, ownsConnection = false): Promise<ClickHouseAlertStore> {
    for (const statement of TABLES) await connection.command(statement, 'creating the alert tables');
    return new ClickHouseAlertStore(connection, ownsConnection);
  }

  async upsertAlerts(alerts: readonly AlertJson[]): Promise<void> {
    if (alerts.length === 0) return;
    const now = Date.now();
    const rows = alerts.map((alert) => ({
      id: alert.id,
      rule_id: alert.rule.id,
      severity_rank: severityRank(alert.rule.severity),
      cluster: alert.entity.cluster ?? '',
      first_seen: Date.parse(alert.firstSeen),
      last_seen: Date.parse(alert.lastSeen),
      json: JSON.stringify(alert),
      updated_at: now,
      version: this.nextVersion(),
    }));
    await this.connection.insert('alerts', rows, `storing ${rows.length} alerts`);
  }

  async listAlerts(filter: AlertFilter): Promise<StoredAlert[]> {
    const where: string[] = [];
    if (filter.status) where.push(`current_status = ${clickhouseLiteral(filter.status)}`);
    if (filter.severity) where.push(`severity_rank >= ${severityRank(filter.severity)}`);
    if (filter.ruleId) where.push(`rule_id = ${clickhouseLiteral(filter.ruleId)}`);
    if (filter.cluster) where.push(`cluster = ${clickhouseLiteral(filter.cluster)}`);
    if (filter.since !== undefined) where.push(`last_seen >= ${clickhouseLiteral(filter.since)}`);
    const limit = filter.limit ?? DEFAULT_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`alert list limit must be a whole number, got ${limit}`);
    const rows = await this.connection.rows<AlertRow>(`${latestAlerts(where)} ORDER BY last_seen DESC LIMIT ${limit}`, 'listing alerts');
    return rows.map(toStoredAlert);
  }

  async getAlert(id: string): Promise<StoredAlert | undefined> {
    const rows = await this.connection.rows<AlertRow>(latestAlerts([], id), `reading alert ${id}`);
    return rows.length === 0 ? undefined : toStoredAlert(rows[0]);
  }

  async setAlertStatus(id: string, status: AlertStatus): Promise<boolean> {
    const found = await this.connection.rows<{ n: number }>(`SELECT count() AS n FROM alerts WHERE id = ${clickhouseLiteral(id)}`, `looking up alert ${id}`);
    if ((found[0]?.n ?? 0) === 0) return false;
    await this.connection.insert('alert_status', [{ id, status, updated_at: Date.now(), version: this.nextVersion() }], `setting alert ${id} to ${status}`);
    return true;
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }

  /** A clock in microseconds that never repeats or goes back within this process: the last write wins. */
  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }
}

/**
 * Each alert's latest content joined with its latest status (none yet: open), filtered after
 * the versions are resolved, since an older version may match a filter the latest does not.
 */
function latestAlerts(where: readonly string[], id?: string): string {
  const byId = id === undefined ? '' : ` WHERE id = ${clickhouseLiteral(id)}`;
  const content = `SELECT id, argMax(json, version) AS json, argMax(rule_id, version) AS rule_id, argMax(severity_rank, version) AS severity_rank,
      argMax(cluster, version) AS cluster, argMax(last_seen, version) AS last_seen, max(updated_at) AS content_updated
    FROM alerts${byId} GROUP BY id`;
  const status = `SELECT id, argMax(status, version) AS status, max(updated_at) AS status_updated FROM alert_status${byId} GROUP BY id`;
  // An alert without a status row joins as '' and 0 (join_use_nulls is off by default on every version).
  const joined = `SELECT json, if(status = '', 'open', status) AS current_status, rule_id, severity_rank, cluster, last_seen,
      greatest(content_updated, status_updated) AS updated_at
    FROM (${content}) ANY LEFT JOIN (${status}) USING id`;
  return `SELECT json, current_status AS status, cluster, updated_at FROM (${joined})${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

function toStoredAlert(row: AlertRow): StoredAlert {
  const alert = JSON.parse(row.json) as AlertJson;
  return { ...alert, status: row.status as AlertStatus, cluster: row.cluster, updatedAt: new Date(row.updated_at).toISOString() };
}
