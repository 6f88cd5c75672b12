import type { AlertStatus } from '../detect/alert-store.js';
import type { AlertJson } from '../detect/alert.js';

/**
 * What a notification says about one alert: `trigger` (a tier of its escalation reached this
 * receiver), `repeat` (still unacknowledged after the last tier), `acknowledge` and `resolve`
 * (sent to every receiver that was told about it).
 */
export type AlertEvent = 'trigger' | 'repeat' | 'acknowledge' | 'resolve';

export interface NotifiedAlert extends AlertJson {
  event: AlertEvent;
  status: AlertStatus;
  /**
   * Stable across a reopened incident: the alert's own id, or that of an alert of the same rule
   * and entity resolved within `reopen_window` before it. Sinks use it as the dedup key.
   */
  incidentKey: string;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  /** Why it was acknowledged or resolved. */
  reason?: string;
  /** Link to the alert in Vigil's API when `external_url` is configured. */
  url?: string;
}

/** One message to one receiver, as kept in the outbox and handed to its sink. */
export interface Notification {
  /** Unique; the idempotency key of the delivery (a retry sends the same id). */
  id: string;
  receiver: string;
  route: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  /** Escalation tier (0-based) of the triggers in it, when it carries triggers. */
  tier?: number;
  createdAt: string;
  alerts: NotifiedAlert[];
}

/** One word for a notification's subject lines: what happened to its alerts. */
export function notificationHeadline(notification: Notification): string {
  const events = new Set(notification.alerts.map((alert) => alert.event));
  if (events.size === 1) return HEADLINES[notification.alerts[0].event];
  return 'UPDATE';
}

const HEADLINES: Record<AlertEvent, string> = { trigger: 'FIRING', repeat: 'STILL FIRING', acknowledge: 'ACKNOWLEDGED', resolve: 'RESOLVED' };

/** The notified alert's entity as `key=value` pairs, cluster first. */
export function entityPairs(alert: Pick<AlertJson, 'entity'>): Array<[string, string]> {
  return Object.entries(alert.entity)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '')
    .sort(([a], [b]) => (a === 'cluster' ? -1 : b === 'cluster' ? 1 : 0));
}
