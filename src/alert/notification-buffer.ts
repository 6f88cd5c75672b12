import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { GroupSpec } from './escalation.js';
import type { AlertEvent } from './notification.js';

/** A notification group of one receiver: what collects in it goes out as one notification. */
export interface BufferGroup {
  id: string;
  receiver: string;
  spec: GroupSpec;
  lastFlushAt: number | null;
}

export interface BufferedEvent {
  alertId: string;
  event: AlertEvent;
  tier: number | null;
}

interface GroupRow {
  group_id: string;
  receiver: string;
  spec: string;
  last_flush_at: number | null;
}

/**
 * Alertmanager's grouping timings, per receiver and group: the first notification of a group
 * waits `group_wait` (so alerts that arrive together go out together), later ones wait until
 * `group_interval` after the previous. Also remembers which groups were told about which alert,
 * so acknowledgements and resolutions reach exactly those.
 */
export class NotificationBuffer {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS alert_notify_groups (
      group_id TEXT PRIMARY KEY,
      receiver TEXT NOT NULL,
      spec TEXT NOT NULL,
      last_flush_at INTEGER
    );
    CREATE TABLE IF NOT EXISTS alert_notify_pending (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      group_id TEXT NOT NULL,
      alert_id TEXT NOT NULL,
      event TEXT NOT NULL,
      tier INTEGER,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alert_notify_pending_group ON alert_notify_pending (group_id, seq);
    CREATE TABLE IF NOT EXISTS alert_notified (alert_id TEXT NOT NULL, group_id TEXT NOT NULL, PRIMARY KEY (alert_id, group_id)) WITHOUT ROWID;`);
    this.statements = {
      upsertGroup: db.prepare(`INSERT INTO alert_notify_groups (group_id, receiver, spec) VALUES (?, ?, ?) ON CONFLICT (group_id) DO NOTHING`),
      add: db.prepare('INSERT INTO alert_notify_pending (group_id, alert_id, event, tier, created_at) VALUES (?, ?, ?, ?, ?)'),
      notifiedGroups: db.prepare('SELECT group_id FROM alert_notified WHERE alert_id = ?'),
      due: db.prepare(`SELECT g.group_id, g.receiver, g.spec, g.last_flush_at FROM alert_notify_groups g
        JOIN (SELECT group_id, min(created_at) AS first FROM alert_notify_pending GROUP BY group_id) p ON p.group_id = g.group_id
        WHERE CASE WHEN g.last_flush_at IS NULL THEN p.first + json_extract(g.spec, '$.groupWaitMs')
                   ELSE max(p.first, g.last_flush_at + json_extract(g.spec, '$.groupIntervalMs')) END <= ?
        LIMIT ?`),
      take: db.prepare('DELETE FROM alert_notify_pending WHERE group_id = ? RETURNING seq, alert_id AS alertId, event, tier'),
      flushed: db.prepare('UPDATE alert_notify_groups SET last_flush_at = ? WHERE group_id = ?'),
      markNotified: db.prepare('INSERT OR IGNORE INTO alert_notified (alert_id, group_id) VALUES (?, ?)'),
      wasNotified: db.prepare('SELECT 1 FROM alert_notified WHERE alert_id = ? AND group_id = ?'),
      receiversTold: db.prepare('SELECT DISTINCT g.receiver FROM alert_notified n JOIN alert_notify_groups g ON g.group_id = n.group_id WHERE n.alert_id = ? ORDER BY g.receiver'),
    };
  }

  add(receiver: string, spec: GroupSpec, item: BufferedEvent, now: number): void {
    const id = groupId(receiver, spec.groupKey);
    this.statements.upsertGroup.run(id, receiver, JSON.stringify(spec));
    this.statements.add.run(id, item.alertId, item.event, item.tier, now);
  }

  /** Queues an acknowledgement or resolution for every group that was told about the alert. */
  addForNotified(alertId: string, event: 'acknowledge' | 'resolve', now: number): number {
    const groups = this.statements.notifiedGroups.pluck().all(alertId) as string[];
    for (const id of groups) this.statements.add.run(id, alertId, event, null, now);
    return groups.length;
  }

  dueGroups(now: number, limit: number): BufferGroup[] {
    return (this.statements.due.all(now, limit) as GroupRow[]).map((row) => ({
      id: row.group_id,
      receiver: row.receiver,
      spec: JSON.parse(row.spec) as GroupSpec,
      lastFlushAt: row.last_flush_at,
    }));
  }

  /** Removes and returns what collected in a group, oldest first. */
  take(group: BufferGroup): BufferedEvent[] {
    const rows = this.statements.take.all(group.id) as Array<BufferedEvent & { seq: number }>;
    return rows.sort((a, b) => a.seq - b.seq).map(({ alertId, event, tier }) => ({ alertId, event, tier }));
  }

  markFlushed(group: BufferGroup, now: number): void {
    this.statements.flushed.run(now, group.id);
  }

  markNotified(alertId: string, group: BufferGroup): void {
    this.statements.markNotified.run(alertId, group.id);
  }

  wasNotified(alertId: string, group: BufferGroup): boolean {
    return this.statements.wasNotified.get(alertId, group.id) !== undefined;
  }

  /** Receivers that were told about an alert. */
  receiversTold(alertId: string): string[] {
    return this.statements.receiversTold.pluck().all(alertId) as string[];
  }
}

function groupId(receiver: string, groupKey: string): string {
  return `${receiver}\u001e${groupKey}`;
}
