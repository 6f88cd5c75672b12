import { z } from 'zod';
import { durationMs } from '../duration-schema.js';
import type { Notification, NotifiedAlert } from '../notification.js';
import { postBody } from './http-post.js';
import type { DeliveryContext, Sink, SinkType } from './sink.js';

/**
 * Prometheus Alertmanager v2 API (`POST <url>/api/v2/alerts`), so teams keep their
 * Alertmanager routing. Alertmanager identifies an alert by its label set; the `vigil_alert`
 * label (the incident key) makes a retried or repeated post update one alert. A firing alert
 * is sent with `endsAt` = now + `ends_after` (Alertmanager resolves it by itself if Vigil goes
 * quiet for longer); a resolved one with `endsAt` = its resolution time. Acknowledgements keep
 * it firing and add `acknowledged_by`.
 */
const schema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).optional(),
  ends_after: durationMs.default(86_400_000),
});
type AlertmanagerConfig = z.infer<typeof schema>;

export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/** Prometheus label names: letters, digits and underscores. */
function labelName(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase();
}

export function postableAlert(alert: NotifiedAlert, now: number, endsAfterMs: number): PostableAlert {
  const labels: Record<string, string> = { alertname: alert.rule.id, severity: alert.rule.severity, vigil_alert: alert.incidentKey };
  for (const [key, value] of Object.entries(alert.entity)) {
    if (typeof value === 'string' && value !== '') labels[labelName(key)] = value;
  }
  if (alert.techniques.length > 0) labels.techniques = alert.techniques.join(',');
  const annotations: Record<string, string> = {
    summary: alert.summary,
    title: alert.rule.title,
    vigil_id: alert.id,
    count: String(alert.count),
  };
  if (alert.acknowledgedBy) annotations.acknowledged_by = alert.acknowledgedBy;
  if (alert.reason) annotations.reason = alert.reason;
  const resolved = alert.event === 'resolve';
  const endsAt = resolved ? (alert.resolvedAt ?? new Date(now).toISOString()) : new Date(now + endsAfterMs).toISOString();
  const posted: PostableAlert = { labels, annotations, startsAt: alert.firstSeen, endsAt };
  if (alert.url) posted.generatorURL = alert.url;
  return posted;
}

class AlertmanagerSink implements Sink {
  private readonly endpoint: string;

  constructor(
    private readonly receiver: string,
    private readonly config: AlertmanagerConfig,
  ) {
    this.endpoint = `${config.url.replace(/\/+$/, '')}/api/v2/alerts`;
  }

  async send(notification: Notification, context: DeliveryContext): Promise<void> {
    const now = Date.now();
    const body = JSON.stringify(notification.alerts.map((alert) => postableAlert(alert, now, this.config.ends_after)));
    await postBody(this.endpoint, body, { receiver: this.receiver, headers: this.config.headers, timeoutMs: context.timeoutMs });
  }
}

export const alertmanagerSinkType: SinkType<AlertmanagerConfig> = {
  type: 'alertmanager',
  description: 'Prometheus Alertmanager v2 API',
  schema,
  create: (receiver, config) => new AlertmanagerSink(receiver, config),
};
