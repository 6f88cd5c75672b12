import { z } from 'zod';
import type { Severity } from '../../detect/rule-schema.js';
import type { Notification, NotifiedAlert } from '../notification.js';
import { postBody } from './http-post.js';
import type { DeliveryContext, Sink, SinkType } from './sink.js';

/**
 * PagerDuty Events API v2: one event per alert, `trigger` / `acknowledge` / `resolve`, all
 * with `dedup_key` = the alert's incident key, so a retried or repeated trigger updates the
 * same PagerDuty alert instead of opening another.
 */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const schema = z.strictObject({
  routing_key: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }).default(PAGERDUTY_EVENTS_URL),
});
type PagerDutyConfig = z.infer<typeof schema>;

const SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

export interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: (typeof SEVERITY)[Severity];
    timestamp: string;
    component?: string;
    group?: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
  client: string;
  client_url?: string;
  links?: Array<{ href: string; text: string }>;
}

/** Dedup keys are at most 255 characters; incident keys are far shorter, this is a guard. */
export function pagerDutyEvent(routingKey: string, alert: NotifiedAlert): PagerDutyEvent {
  const action = alert.event === 'acknowledge' ? 'acknowledge' : alert.event === 'resolve' ? 'resolve' : 'trigger';
  const event: PagerDutyEvent = { routing_key: routingKey, event_action: action, dedup_key: `vigil-${alert.incidentKey}`.slice(0, 255), client: 'Vigil' };
  if (alert.url) event.client_url = alert.url;
  if (action !== 'trigger') return event;
  event.payload = {
    summary: `[${alert.rule.severity}] ${alert.rule.title}: ${alert.summary}`.slice(0, 1024),
    source: alert.entity.cluster ?? 'vigil',
    severity: SEVERITY[alert.rule.severity],
    timestamp: alert.lastSeen,
    component: alert.entity.resource,
    group: alert.entity.namespace,
    class: alert.rule.id,
    custom_details: {
      alert_id: alert.id,
      rule: alert.rule.id,
      techniques: alert.techniques,
      entity: alert.entity,
      count: alert.count,
      first_seen: alert.firstSeen,
      last_seen: alert.lastSeen,
      events: alert.events.slice(0, 20),
    },
  };
  if (alert.url) event.links = [{ href: alert.url, text: 'Alert in Vigil' }];
  return event;
}

class PagerDutySink implements Sink {
  constructor(
    private readonly receiver: string,
    private readonly config: PagerDutyConfig,
  ) {}

  /** Sequential: a failure part-way makes the whole notification retry, which dedup_key makes harmless. */
  async send(notification: Notification, context: DeliveryContext): Promise<void> {
    for (const alert of notification.alerts) {
      const body = JSON.stringify(pagerDutyEvent(this.config.routing_key, alert));
      await postBody(this.config.url, body, { receiver: this.receiver, timeoutMs: context.timeoutMs });
    }
  }
}

export const pagerDutySinkType: SinkType<PagerDutyConfig> = {
  type: 'pagerduty',
  description: 'PagerDuty Events API v2 (trigger/acknowledge/resolve by dedup_key)',
  schema,
  create: (receiver, config) => new PagerDutySink(receiver, config),
};
