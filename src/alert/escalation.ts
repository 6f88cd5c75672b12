import type { SqliteDatabase } from '../store/sqlite/database.js';
import type { EscalationPlan } from './config.js';
import type { RouteMatch } from './routing.js';

/** Where an alert's notifications to one route collect before they are sent (see NotificationBuffer). */
export interface GroupSpec {
  routeId: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  groupWaitMs: number;
  groupIntervalMs: number;
}

export interface Escalation {
  alertId: string;
  group: GroupSpec;
  /** Snapshot taken when the alert opened: a config change or restart does not move its timers. */
  plan: EscalationPlan;
  startedAt: number;
  /** Index of the next tier to notify; the tier count once all tiers were notified. */
  nextTier: number;
  repeatsDone: number;
  /** Null once finished (acknowledged, resolved, or no repeats left). */
  nextDueAt: number | null;
}

/** One tier (or repeat) reached: notify these receivers about the alert. */
export interface EscalationStep {
  tier: number;
  receivers: string[];
  event: 'trigger' | 'repeat';
}

interface EscalationRow {
  alert_id: string;
  route_id: string;
  group_spec: string;
  plan: string;
  started_at: number;
  next_tier: number;
  repeats_done: number;
  next_due_at: number | null;
}

/**
 * Escalation timers, kept as absolute due times in the database so they survive restarts:
 * tier i is due at `startedAt + tiers[i].after`, repeats of the last tier every
 * `repeatIntervalMs` after it was notified. A tier is marked reached in the same transaction
 * that queues its notifications, so a crash neither loses nor repeats it.
 */
export class EscalationTable {
  private readonly statements;

  constructor(db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS alert_escalations (
      alert_id TEXT NOT NULL,
      route_id TEXT NOT NULL,
      group_spec TEXT NOT NULL,
      plan TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      next_tier INTEGER NOT NULL,
      repeats_done INTEGER NOT NULL,
      next_due_at INTEGER,
      PRIMARY KEY (alert_id, route_id)
    );
    CREATE INDEX IF NOT EXISTS alert_escalations_due ON alert_escalations (next_due_at) WHERE next_due_at IS NOT NULL;`);
    this.statements = {
      clear: db.prepare('DELETE FROM alert_escalations WHERE alert_id = ?'),
      insert: db.prepare(`INSERT INTO alert_escalations (alert_id, route_id, group_spec, plan, started_at, next_tier, repeats_done, next_due_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?)`),
      stop: db.prepare('UPDATE alert_escalations SET next_due_at = NULL WHERE alert_id = ?'),
      due: db.prepare('SELECT * FROM alert_escalations WHERE next_due_at IS NOT NULL AND next_due_at <= ? ORDER BY next_due_at LIMIT ?'),
      save: db.prepare('UPDATE alert_escalations SET next_tier = ?, repeats_done = ?, next_due_at = ? WHERE alert_id = ? AND route_id = ?'),
      postpone: db.prepare('UPDATE alert_escalations SET next_due_at = ? WHERE alert_id = ? AND route_id = ? AND next_due_at IS NOT NULL'),
      forAlert: db.prepare('SELECT * FROM alert_escalations WHERE alert_id = ? ORDER BY route_id'),
    };
  }

  /** Starts (or restarts, on reopen) the alert's escalation on each route it takes. */
  start(alertId: string, matches: readonly RouteMatch[], startedAt: number): void {
    this.statements.clear.run(alertId);
    for (const match of matches) {
      const group: GroupSpec = {
        routeId: match.route.id,
        groupKey: match.groupKey,
        groupLabels: match.groupLabels,
        groupWaitMs: match.route.groupWaitMs,
        groupIntervalMs: match.route.groupIntervalMs,
      };
      this.statements.insert.run(alertId, match.route.id, JSON.stringify(group), JSON.stringify(match.plan), startedAt, startedAt + match.plan.tiers[0].afterMs);
    }
  }

  /** Acknowledged or resolved: no further tier or repeat. */
  stop(alertId: string): void {
    this.statements.stop.run(alertId);
  }

  due(now: number, limit: number): Escalation[] {
    return (this.statements.due.all(now, limit) as EscalationRow[]).map(toEscalation);
  }

  forAlert(alertId: string): Escalation[] {
    return (this.statements.forAlert.all(alertId) as EscalationRow[]).map(toEscalation);
  }

  /** Keeps a due escalation waiting (its alert is suppressed) without moving later tiers. */
  postpone(escalation: Escalation, until: number): void {
    this.statements.postpone.run(until, escalation.alertId, escalation.group.routeId);
  }

  /**
   * The tiers reached by `now` (all of them when the process was down past several), or one
   * repeat; records the progress. Call inside the transaction that queues the notifications.
   */
  advance(escalation: Escalation, now: number): EscalationStep[] {
    const { plan, startedAt } = escalation;
    const lastTier = plan.tiers.length - 1;
    const steps: EscalationStep[] = [];
    let { nextTier, repeatsDone, nextDueAt } = escalation;
    while (nextDueAt !== null && nextDueAt <= now && nextTier <= lastTier) {
      steps.push({ tier: nextTier, receivers: plan.tiers[nextTier].receivers, event: 'trigger' });
      nextTier++;
      nextDueAt = nextTier <= lastTier ? startedAt + plan.tiers[nextTier].afterMs : repeatDue(plan, repeatsDone, now);
    }
    if (steps.length === 0 && nextDueAt !== null && nextDueAt <= now) {
      steps.push({ tier: lastTier, receivers: plan.tiers[lastTier].receivers, event: 'repeat' });
      repeatsDone++;
      nextDueAt = repeatDue(plan, repeatsDone, now);
    }
    this.statements.save.run(nextTier, repeatsDone, nextDueAt, escalation.alertId, escalation.group.routeId);
    return steps;
  }
}

function repeatDue(plan: EscalationPlan, repeatsDone: number, lastNotifiedAt: number): number | null {
  if (plan.repeatIntervalMs <= 0) return null;
  if (plan.repeat !== null && repeatsDone >= plan.repeat) return null;
  return lastNotifiedAt + plan.repeatIntervalMs;
}

function toEscalation(row: EscalationRow): Escalation {
  return {
    alertId: row.alert_id,
    group: JSON.parse(row.group_spec) as GroupSpec,
    plan: JSON.parse(row.plan) as EscalationPlan,
    startedAt: row.started_at,
    nextTier: row.next_tier,
    repeatsDone: row.repeats_done,
    nextDueAt: row.next_due_at,
  };
}
