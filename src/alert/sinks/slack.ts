import { z } from 'zod';
import { type Notification, type NotifiedAlert, entityPairs, notificationHeadline } from '../notification.js';
import { postBody } from './http-post.js';
import type { DeliveryContext, Sink, SinkType } from './sink.js';

/**
 * Slack incoming webhook with Block Kit blocks (header, section with fields, context), and
 * `text` as the fallback shown in notifications. Limits kept: header text 150 characters,
 * section text 3000, 10 fields of 2000, 50 blocks per message.
 */
const schema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
});
type SlackConfig = z.infer<typeof schema>;

const MAX_ALERTS_SHOWN = 10;
const ICONS: Record<NotifiedAlert['event'], string> = { trigger: ':rotating_light:', repeat: ':rotating_light:', acknowledge: ':eyes:', resolve: ':white_check_mark:' };

type TextObject = { type: 'plain_text' | 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export function slackMessage(notification: Notification): { text: string; blocks: SlackBlock[] } {
  const shown = notification.alerts.slice(0, MAX_ALERTS_SHOWN);
  const blocks: SlackBlock[] = [];
  for (const alert of shown) {
    if (blocks.length > 0) blocks.push({ type: 'divider' });
    blocks.push(...alertBlocks(alert));
  }
  const hidden = notification.alerts.length - shown.length;
  if (hidden > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${hidden} more alert(s) in this group` }] });
  const first = notification.alerts[0];
  const text = cut(`${notificationHeadline(notification)}: [${first.rule.severity}] ${first.rule.title}${notification.alerts.length > 1 ? ` (+${notification.alerts.length - 1} more)` : ''}`, 3000);
  return { text, blocks };
}

function alertBlocks(alert: NotifiedAlert): SlackBlock[] {
  const fields: TextObject[] = [
    { type: 'mrkdwn', text: `*Severity*\n${alert.rule.severity}` },
    { type: 'mrkdwn', text: `*Rule*\n\`${escape(alert.rule.id)}\`` },
    ...entityPairs(alert).map(([key, value]): TextObject => ({ type: 'mrkdwn', text: `*${key}*\n${escape(value)}` })),
    { type: 'mrkdwn', text: `*Count*\n${alert.count}` },
  ];
  if (alert.techniques.length > 0) fields.push({ type: 'mrkdwn', text: `*ATT&CK*\n${alert.techniques.join(', ')}` });
  const context: TextObject[] = [{ type: 'mrkdwn', text: `alert \`${alert.id}\` · first ${alert.firstSeen} · last ${alert.lastSeen}` }];
  const change = changeLine(alert);
  if (change) context.push({ type: 'mrkdwn', text: change });
  if (alert.url) context.push({ type: 'mrkdwn', text: `<${alert.url}|open in Vigil>` });
  return [
    { type: 'header', text: { type: 'plain_text', text: cut(`${headline(alert)} ${alert.rule.title}`, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(`${ICONS[alert.event]} ${escape(alert.summary)}`, 3000) }, fields: fields.slice(0, 10).map((field) => ({ ...field, text: cut(field.text, 2000) })) },
    { type: 'context', elements: context.map((element) => ({ ...element, text: cut(element.text, 2000) })) },
  ];
}

function headline(alert: NotifiedAlert): string {
  const word = { trigger: 'FIRING', repeat: 'STILL FIRING', acknowledge: 'ACKNOWLEDGED', resolve: 'RESOLVED' }[alert.event];
  return `${word} [${alert.rule.severity.toUpperCase()}]`;
}

function changeLine(alert: NotifiedAlert): string | undefined {
  if (alert.event === 'acknowledge') return `acknowledged by ${escape(alert.acknowledgedBy ?? 'unknown')}${alert.reason ? `: ${escape(alert.reason)}` : ''}`;
  if (alert.event === 'resolve') return `resolved by ${escape(alert.resolvedBy ?? 'unknown')}${alert.reason ? `: ${escape(alert.reason)}` : ''}`;
  return undefined;
}

/** Slack's mrkdwn treats only these three as control characters. */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

class SlackSink implements Sink {
  constructor(
    private readonly receiver: string,
    private readonly config: SlackConfig,
  ) {}

  async send(notification: Notification, context: DeliveryContext): Promise<void> {
    await postBody(this.config.url, JSON.stringify(slackMessage(notification)), { receiver: this.receiver, timeoutMs: context.timeoutMs });
  }
}

export const slackSinkType: SinkType<SlackConfig> = {
  type: 'slack',
  description: 'Slack incoming webhook (Block Kit)',
  schema,
  create: (receiver, config) => new SlackSink(receiver, config),
};
