import { randomUUID } from 'node:crypto';
import { formatDuration } from '../detect/duration.js';
import type { AlertJson } from '../detect/alert.js';
import { AlertActions } from './actions.js';
import type { AlertingState } from './alerting-state.js';
import type { AlertingConfig } from './config.js';
import type { Escalation } from './escalation.js';
import { alertLabels } from './labels.js';
import { type LifecycleState, SYSTEM_ACTOR } from './lifecycle.js';
import type { AlertEvent, Notification, NotifiedAlert } from './notification.js';
import type { BufferGroup, BufferedEvent } from './notification-buffer.js';
import { routeAlert } from './routing.js';
import { Suppressor } from './suppression.js';

/** How long a due escalation of a suppressed alert waits before it is looked at again. */
const SUPPRESSED_RECHECK_MS = 15_000;
const BATCH = 200;

export interface TickSummary {
  observed: number;
  autoResolved: number;
  escalated: number;
  notifications: number;
}

/**
 * Decides notifications; sends nothing (the Dispatcher drains the outbox). Each `tick(now)`:
 * evaluates the alerts the detection stage handed in (open, grow, reopen, start escalation),
 * auto-resolves quiet ones, advances due escalations, and turns due notification groups into
 * outbox items. Every decision is a transaction together with its outbox items, so a crash
 * anywhere loses nothing and repeats nothing. Time is a parameter: tests pass it explicitly.
 */
export class AlertNotifier {
  private readonly actions: AlertActions;

  constructor(
    private readonly state: AlertingState,
    private config: AlertingConfig,
    /** Told about an item that could not be evaluated; it is retried on the next tick. */
    private readonly onError: (error: unknown, what: string) => void = (error) => {
      throw error;
    },
  ) {
    this.actions = new AlertActions(state);
  }

  /** Route edits through the API take effect for alerts that open from now on. */
  setConfig(config: AlertingConfig): void {
    this.config = config;
  }

  get currentConfig(): AlertingConfig {
    return this.config;
  }

  tick(now: number): TickSummary {
    const observed = this.evaluateInbox(now);
    const autoResolved = this.autoResolve(now);
    const suppressor = Suppressor.at(now, this.state.silences, this.state.rows, this.config.inhibitRules);
    const escalated = this.escalate(now, suppressor);
    const notifications = this.flushGroups(now, suppressor);
    return { observed, autoResolved, escalated, notifications };
  }

  private evaluateInbox(now: number): number {
    let count = 0;
    let after = 0;
    for (;;) {
      const items = this.state.inbox.after(after, BATCH);
      if (items.length === 0) return count;
      for (const item of items) {
        after = item.seq;
        this.guard(`alert ${item.alert.id}`, () => {
          this.state.db.transaction(() => {
            this.observe(item.alert, now);
            this.state.inbox.remove(item.seq);
          }).immediate();
          count++;
        });
      }
    }
  }

  private guard(what: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.onError(error, what);
    }
  }

  private observe(alert: AlertJson, now: number): void {
    const { lifecycle, escalations } = this.state;
    const observation = lifecycle.assess(alert, now, this.config.reopenWindowMs);
    if (observation.change === 'opened' || observation.change === 'reopened') {
      escalations.start(alert.id, routeAlert(this.config.route, alertLabels(alert), alert.id), observation.state.openedAt);
    }
    // Last: it may append to the ledger (see AlertActions).
    lifecycle.apply(alert, observation, now);
  }

  private autoResolve(now: number): number {
    if (this.config.resolveAfterMs <= 0) return 0;
    const quiet = this.state.lifecycle.quietSince(now - this.config.resolveAfterMs, BATCH);
    const reason = `no new detection for ${formatDuration(this.config.resolveAfterMs)}`;
    let resolved = 0;
    for (const alertId of quiet) {
      this.guard(`auto-resolve of alert ${alertId}`, () => {
        this.actions.resolve(alertId, SYSTEM_ACTOR, reason, now);
        resolved++;
      });
    }
    return resolved;
  }

  private escalate(now: number, suppressor: Suppressor): number {
    let reached = 0;
    for (const escalation of this.state.escalations.due(now, BATCH)) {
      this.guard(`escalation of alert ${escalation.alertId}`, () => {
        this.state.db.transaction(() => {
          reached += this.escalateOne(escalation, now, suppressor);
        }).immediate();
      });
    }
    return reached;
  }

  private escalateOne(escalation: Escalation, now: number, suppressor: Suppressor): number {
    const { rows, lifecycle, escalations, buffer } = this.state;
    const row = rows.get(escalation.alertId);
    const life = lifecycle.get(escalation.alertId);
    if (!row || !life || life.status !== 'open') {
      escalations.stop(escalation.alertId);
      return 0;
    }
    if (suppressor.isSuppressed(row.alert)) {
      escalations.postpone(escalation, now + SUPPRESSED_RECHECK_MS);
      return 0;
    }
    const steps = escalations.advance(escalation, now);
    for (const step of steps) {
      for (const receiver of step.receivers) buffer.add(receiver, escalation.group, { alertId: escalation.alertId, event: step.event, tier: step.tier }, now);
    }
    return steps.length;
  }

  private flushGroups(now: number, suppressor: Suppressor): number {
    let sent = 0;
    for (const group of this.state.buffer.dueGroups(now, BATCH)) {
      this.guard(`notification group ${group.id}`, () => {
        this.state.db.transaction(() => {
          if (this.flushGroup(group, now, suppressor)) sent++;
        }).immediate();
      });
    }
    return sent;
  }

  /**
   * One notification from what collected in a group, as things stand now: a trigger for an
   * alert acknowledged, resolved or suppressed meanwhile is dropped; acknowledgements and
   * resolutions go only to groups that were told about the alert.
   */
  private flushGroup(group: BufferGroup, now: number, suppressor: Suppressor): boolean {
    const { buffer, rows, lifecycle, outbox } = this.state;
    const alerts: NotifiedAlert[] = [];
    let tier: number | undefined;
    for (const [alertId, latest] of latestPerAlert(buffer.take(group))) {
      const row = rows.get(alertId);
      const life = lifecycle.get(alertId);
      if (!row || !life) continue;
      const told = buffer.wasNotified(alertId, group);
      const event = eventToSend(latest.event, life, told, () => suppressor.isSuppressed(row.alert));
      if (!event) continue;
      if (event === 'trigger' || event === 'repeat') {
        buffer.markNotified(alertId, group);
        tier = Math.max(tier ?? 0, latest.tier ?? 0);
      }
      alerts.push(this.notified(row.alert, life, event));
    }
    if (alerts.length === 0) return false;
    const notification: Notification = {
      id: randomUUID(),
      receiver: group.receiver,
      route: group.spec.routeId,
      groupKey: group.spec.groupKey,
      groupLabels: group.spec.groupLabels,
      tier,
      createdAt: new Date(now).toISOString(),
      alerts,
    };
    outbox.enqueue(
      [{ receiver: group.receiver, orderKey: group.id, idempotencyKey: notification.id, payload: JSON.stringify(notification), alertIds: alerts.map((alert) => alert.id) }],
      now,
    );
    buffer.markFlushed(group, now);
    return true;
  }

  private notified(alert: AlertJson, life: LifecycleState, event: AlertEvent): NotifiedAlert {
    const iso = (time: number | null) => (time === null ? undefined : new Date(time).toISOString());
    return {
      ...alert,
      event,
      status: life.status,
      incidentKey: life.incidentKey,
      acknowledgedBy: life.acknowledgedBy ?? undefined,
      acknowledgedAt: iso(life.acknowledgedAt),
      resolvedBy: life.resolvedBy ?? undefined,
      resolvedAt: iso(life.resolvedAt),
      reason: life.reason ?? undefined,
      url: this.config.externalUrl ? `${this.config.externalUrl}/api/v1/alerts/${encodeURIComponent(alert.id)}` : undefined,
    };
  }
}

/** The last event queued for each alert, in the order alerts first appeared. */
function latestPerAlert(events: readonly BufferedEvent[]): Map<string, BufferedEvent> {
  const latest = new Map<string, BufferedEvent>();
  for (const event of events) {
    const previous = latest.get(event.alertId);
    // A trigger keeps the highest tier reached while it waited.
    const tier = Math.max(event.tier ?? -1, previous?.tier ?? -1);
    latest.set(event.alertId, { ...event, tier: tier < 0 ? null : tier });
  }
  return latest;
}

function eventToSend(queued: AlertEvent, life: LifecycleState, told: boolean, suppressed: () => boolean): AlertEvent | undefined {
  if (queued === 'acknowledge') return told && life.status === 'acknowledged' ? 'acknowledge' : undefined;
  if (queued === 'resolve') return told && life.status === 'resolved' ? 'resolve' : undefined;
  if (life.status !== 'open' || suppressed()) return undefined;
  return told ? queued : 'trigger';
}
