import { formatDuration } from '../detect/duration.js';
import type { AlertStatus } from '../detect/alert-store.js';
import type { AlertJson } from '../detect/alert.js';
import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { AdminRecorder } from './admin-recorder.js';
import { AlertActionError } from './alert-action-error.js';
import { AlertRows } from './alert-rows.js';
import { alertFingerprint } from './labels.js';

export interface LifecycleState {
  alertId: string;
  fingerprint: string;
  incidentKey: string;
  status: AlertStatus;
  /** When the alert (last) opened, wall clock: escalation counts from here. */
  openedAt: number;
  /** When a detection last grew it, wall clock: auto-resolve counts from here. */
  lastActivityAt: number;
  lastSeen: number;
  count: number;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  resolvedBy: string | null;
  resolvedAt: number | null;
  reason: string | null;
  reopenCount: number;
}

export interface Transition {
  seq: number;
  alertId: string;
  at: number;
  from: AlertStatus | null;
  to: AlertStatus;
  by: string;
  reason: string;
}

export type Change = 'opened' | 'reopened' | 'grew' | 'unchanged';

export interface Observation {
  change: Change;
  /** The lifecycle after the change. */
  state: LifecycleState;
  from: AlertStatus | null;
  /** Why it opened or reopened. */
  reason?: string;
}

interface LifecycleRow {
  alert_id: string;
  fingerprint: string;
  incident_key: string;
  status: AlertStatus;
  opened_at: number;
  last_activity_at: number;
  last_seen: number;
  count: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  resolved_by: string | null;
  resolved_at: number | null;
  reason: string | null;
  reopen_count: number;
}

/** Who acts when Vigil itself changes an alert (open, reopen, auto-resolve). */
export const SYSTEM_ACTOR = 'vigil';

/**
 * An alert's life: open → acknowledged → resolved, reopened when it recurs after resolution.
 * Every transition is kept with who, when and why (alert_transitions), mirrored into the
 * alerts table's status, and recorded through the AdminRecorder (the ledger) in the same
 * transaction.
 */
export class AlertLifecycle {
  private readonly rows: AlertRows;
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly recorder: AdminRecorder,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS alert_lifecycle (
      alert_id TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,
      incident_key TEXT NOT NULL,
      status TEXT NOT NULL,
      opened_at INTEGER NOT NULL,
      last_activity_at INTEGER NOT NULL,
      last_seen INTEGER NOT NULL,
      count INTEGER NOT NULL,
      acknowledged_by TEXT,
      acknowledged_at INTEGER,
      resolved_by TEXT,
      resolved_at INTEGER,
      reason TEXT,
      reopen_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS alert_lifecycle_fingerprint ON alert_lifecycle (fingerprint, resolved_at);
    CREATE INDEX IF NOT EXISTS alert_lifecycle_activity ON alert_lifecycle (status, last_activity_at);
    CREATE TABLE IF NOT EXISTS alert_transitions (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      alert_id TEXT NOT NULL,
      at INTEGER NOT NULL,
      from_status TEXT,
      to_status TEXT NOT NULL,
      actor TEXT NOT NULL,
      reason TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS alert_transitions_alert ON alert_transitions (alert_id, seq);`);
    this.rows = new AlertRows(db);
    this.statements = {
      get: db.prepare('SELECT * FROM alert_lifecycle WHERE alert_id = ?'),
      insert: db.prepare(`INSERT INTO alert_lifecycle (alert_id, fingerprint, incident_key, status, opened_at, last_activity_at, last_seen, count, acknowledged_by, acknowledged_at, resolved_by, resolved_at, reason, reopen_count)
        VALUES (@alert_id, @fingerprint, @incident_key, @status, @opened_at, @last_activity_at, @last_seen, @count, @acknowledged_by, @acknowledged_at, @resolved_by, @resolved_at, @reason, @reopen_count)
        ON CONFLICT (alert_id) DO UPDATE SET status = excluded.status, opened_at = excluded.opened_at, last_activity_at = excluded.last_activity_at,
          last_seen = excluded.last_seen, count = excluded.count, acknowledged_by = excluded.acknowledged_by, acknowledged_at = excluded.acknowledged_at,
          resolved_by = excluded.resolved_by, resolved_at = excluded.resolved_at, reason = excluded.reason, reopen_count = excluded.reopen_count`),
      predecessor: db.prepare(`SELECT * FROM alert_lifecycle WHERE fingerprint = ? AND alert_id != ? AND status = 'resolved' AND resolved_at >= ?
        ORDER BY resolved_at DESC LIMIT 1`),
      transition: db.prepare('INSERT INTO alert_transitions (alert_id, at, from_status, to_status, actor, reason) VALUES (?, ?, ?, ?, ?, ?)'),
      transitions: db.prepare('SELECT seq, alert_id AS alertId, at, from_status AS "from", to_status AS "to", actor AS by, reason FROM alert_transitions WHERE alert_id = ? ORDER BY seq'),
      quiet: db.prepare(`SELECT alert_id FROM alert_lifecycle WHERE status IN ('open', 'acknowledged') AND last_activity_at <= ? ORDER BY last_activity_at LIMIT ?`),
    };
  }

  get(alertId: string): LifecycleState | undefined {
    const row = this.statements.get.get(alertId) as LifecycleRow | undefined;
    return row ? toState(row) : undefined;
  }

  transitions(alertId: string): Transition[] {
    return this.statements.transitions.all(alertId) as Transition[];
  }

  /**
   * What an alert the detection engine opened or grew means for its lifecycle, without
   * changing anything (see `apply`). A new alert opens; one whose rule and entity match an
   * alert resolved within `reopenWindowMs` continues that incident (same incident key, so
   * receivers see it reopen). A resolved alert that grows is reopened.
   */
  assess(alert: AlertJson, now: number, reopenWindowMs: number): Observation {
    const lastSeen = Date.parse(alert.lastSeen);
    const existing = this.get(alert.id);
    if (!existing) return this.assessNew(alert, lastSeen, now, reopenWindowMs);
    if (lastSeen <= existing.lastSeen && alert.count <= existing.count) return { change: 'unchanged', state: existing, from: existing.status };
    const grown: LifecycleState = { ...existing, lastSeen: Math.max(lastSeen, existing.lastSeen), count: Math.max(alert.count, existing.count), lastActivityAt: now };
    if (existing.status !== 'resolved') return { change: 'grew', state: grown, from: existing.status };
    const reopened: LifecycleState = {
      ...grown,
      status: 'open',
      openedAt: now,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolvedBy: null,
      resolvedAt: null,
      reason: null,
      reopenCount: existing.reopenCount + 1,
    };
    const ago = existing.resolvedAt === null ? '' : ` ${formatDuration(Math.max(now - existing.resolvedAt, 1000))} after it was resolved`;
    return { change: 'reopened', state: reopened, from: 'resolved', reason: `recurred${ago} (count ${alert.count})` };
  }

  /** Stores what `assess` found; opening and reopening are transitions recorded in the ledger. */
  apply(alert: AlertJson, observation: Observation, now: number): void {
    if (observation.change === 'unchanged') return;
    if (observation.change === 'grew') this.save(observation.state);
    else this.transition(alert, observation.change === 'opened' ? null : observation.from, observation.state, SYSTEM_ACTOR, observation.reason ?? '', now);
  }

  acknowledge(alertId: string, by: string, reason: string, now: number): LifecycleState {
    const { alert, state } = this.current(alertId, now);
    if (state.status === 'acknowledged') throw new AlertActionError(`alert ${alertId} is already acknowledged by ${state.acknowledgedBy}`, 'conflict');
    if (state.status === 'resolved') throw new AlertActionError(`alert ${alertId} is resolved; nothing to acknowledge`, 'conflict');
    const next: LifecycleState = { ...state, status: 'acknowledged', acknowledgedBy: by, acknowledgedAt: now, reason };
    this.transition(alert, state.status, next, by, reason, now);
    return next;
  }

  resolve(alertId: string, by: string, reason: string, now: number): LifecycleState {
    const { alert, state } = this.current(alertId, now);
    if (state.status === 'resolved') throw new AlertActionError(`alert ${alertId} is already resolved by ${state.resolvedBy}`, 'conflict');
    const next: LifecycleState = { ...state, status: 'resolved', resolvedBy: by, resolvedAt: now, reason };
    this.transition(alert, state.status, next, by, reason, now);
    return next;
  }

  /** Open or acknowledged alerts with no new detection since `before`, oldest first. */
  quietSince(before: number, limit: number): string[] {
    return this.statements.quiet.pluck().all(before, limit) as string[];
  }

  /** The alert and its lifecycle; an alert stored by `vigil ingest` gets its lifecycle row now. */
  private current(alertId: string, now: number): { alert: AlertJson; state: LifecycleState } {
    const row = this.rows.get(alertId);
    if (!row) throw new AlertActionError(`no alert with id "${alertId}"; see vigil alerts list`, 'not-found');
    const state = this.get(alertId) ?? {
      alertId,
      fingerprint: alertFingerprint(row.alert),
      incidentKey: alertId,
      status: row.status,
      openedAt: now,
      lastActivityAt: now,
      lastSeen: Date.parse(row.alert.lastSeen),
      count: row.alert.count,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolvedBy: null,
      resolvedAt: null,
      reason: null,
      reopenCount: 0,
    };
    return { alert: row.alert, state };
  }

  private assessNew(alert: AlertJson, lastSeen: number, now: number, reopenWindowMs: number): Observation {
    const fingerprint = alertFingerprint(alert);
    const predecessor = reopenWindowMs > 0 ? (this.statements.predecessor.get(fingerprint, alert.id, now - reopenWindowMs) as LifecycleRow | undefined) : undefined;
    const state: LifecycleState = {
      alertId: alert.id,
      fingerprint,
      incidentKey: predecessor?.incident_key ?? alert.id,
      status: 'open',
      openedAt: now,
      lastActivityAt: now,
      lastSeen,
      count: alert.count,
      acknowledgedBy: null,
      acknowledgedAt: null,
      resolvedBy: null,
      resolvedAt: null,
      reason: null,
      reopenCount: predecessor ? predecessor.reopen_count + 1 : 0,
    };
    const reason = predecessor
      ? `recurrence of alert ${predecessor.alert_id}, resolved ${formatDuration(Math.max(now - (predecessor.resolved_at ?? now), 1000))} ago`
      : `rule ${alert.rule.id} detected: ${alert.summary}`;
    return { change: 'opened', state, from: null, reason };
  }

  private transition(alert: AlertJson, from: AlertStatus | null, next: LifecycleState, by: string, reason: string, now: number): void {
    this.db.transaction(() => {
      this.save(next);
      this.rows.setStatus(next.alertId, next.status, now);
      this.statements.transition.run(next.alertId, now, from, next.status, by, reason);
      const verb = from === null ? 'open' : from === 'resolved' && next.status === 'open' ? 'reopen' : next.status === 'acknowledged' ? 'acknowledge' : 'resolve';
      this.recorder.record(`alert.${verb}`, {
        by,
        summary: `alert ${next.alertId} (${alert.rule.id}) ${from ?? 'new'} → ${next.status} by ${by}: ${reason}`,
        alertId: next.alertId,
        incidentKey: next.incidentKey,
        rule: alert.rule.id,
        severity: alert.rule.severity,
        entity: alert.entity,
        from,
        to: next.status,
        reason,
      });
    })();
  }

  private save(state: LifecycleState): void {
    this.statements.insert.run({
      alert_id: state.alertId,
      fingerprint: state.fingerprint,
      incident_key: state.incidentKey,
      status: state.status,
      opened_at: state.openedAt,
      last_activity_at: state.lastActivityAt,
      last_seen: state.lastSeen,
      count: state.count,
      acknowledged_by: state.acknowledgedBy,
      acknowledged_at: state.acknowledgedAt,
      resolved_by: state.resolvedBy,
      resolved_at: state.resolvedAt,
      reason: state.reason,
      reopen_count: state.reopenCount,
    });
  }
}

function toState(row: LifecycleRow): LifecycleState {
  return {
    alertId: row.alert_id,
    fingerprint: row.fingerprint,
    incidentKey: row.incident_key,
    status: row.status,
    openedAt: row.opened_at,
    lastActivityAt: row.last_activity_at,
    lastSeen: row.last_seen,
    count: row.count,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    reason: row.reason,
    reopenCount: row.reopen_count,
  };
}
