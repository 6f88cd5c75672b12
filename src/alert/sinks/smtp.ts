import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { z } from 'zod';
import { type Notification, type NotifiedAlert, entityPairs, notificationHeadline } from '../notification.js';
import { DeliveryError, type DeliveryContext, type Sink, type SinkType } from './sink.js';

/**
 * E-mail over SMTP with a plain-text and an HTML part. `tls: starttls` (the default, port 587)
 * refuses to send unless the server upgrades the connection with STARTTLS; `tls: implicit`
 * is TLS from the first byte (port 465); `tls: none` is for a local relay only. The Message-ID
 * is derived from the notification id, so a retried delivery is recognisably the same mail.
 */
const schema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  tls: z.enum(['starttls', 'implicit', 'none']).default('starttls'),
  /** PEM file of the CA that signed the server's certificate, when it is not a public one. */
  ca_file: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  subject_prefix: z.string().default('[Vigil]'),
});
type SmtpConfig = z.infer<typeof schema>;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail(notification: Notification, prefix: string): RenderedMail {
  const first = notification.alerts[0];
  const more = notification.alerts.length > 1 ? ` (+${notification.alerts.length - 1} more)` : '';
  const subject = `${prefix} ${notificationHeadline(notification)} [${first.rule.severity}] ${first.rule.title}${more}`.trim();
  const text = notification.alerts.map(alertText).join('\n\n----\n\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif">${notification.alerts.map(alertHtml).join('<hr>')}</body></html>`;
  return { subject, text, html };
}

function details(alert: NotifiedAlert): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Status', `${alert.status} (${alert.event})`],
    ['Severity', alert.rule.severity],
    ['Rule', `${alert.rule.id} (${alert.rule.format})`],
    ...entityPairs(alert),
    ['Count', String(alert.count)],
    ['First seen', alert.firstSeen],
    ['Last seen', alert.lastSeen],
    ['Alert id', alert.id],
  ];
  if (alert.techniques.length > 0) rows.push(['ATT&CK', alert.techniques.join(', ')]);
  if (alert.acknowledgedBy) rows.push(['Acknowledged by', alert.acknowledgedBy]);
  if (alert.resolvedBy) rows.push(['Resolved by', alert.resolvedBy]);
  if (alert.reason) rows.push(['Reason', alert.reason]);
  if (alert.url) rows.push(['Link', alert.url]);
  return rows;
}

function alertText(alert: NotifiedAlert): string {
  return [alert.rule.title, '', alert.summary, '', ...details(alert).map(([key, value]) => `${key}: ${value}`)].join('\n');
}

function alertHtml(alert: NotifiedAlert): string {
  const rows = details(alert)
    .map(([key, value]) => `<tr><th align="left">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
  return `<h2>${escapeHtml(alert.rule.title)}</h2><p>${escapeHtml(alert.summary)}</p><table>${rows}</table>`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

class SmtpSink implements Sink {
  private readonly transport;

  constructor(
    private readonly receiver: string,
    private readonly config: SmtpConfig,
  ) {
    const options: SMTPTransport.Options = {
      host: config.host,
      port: config.port,
      secure: config.tls === 'implicit',
      requireTLS: config.tls === 'starttls',
      ignoreTLS: config.tls === 'none',
      tls: config.ca_file ? { ca: readFileSync(config.ca_file) } : undefined,
      auth: config.username ? { user: config.username, pass: config.password ?? '' } : undefined,
    };
    this.transport = nodemailer.createTransport(options);
  }

  async send(notification: Notification, context: DeliveryContext): Promise<void> {
    const mail = renderMail(notification, this.config.subject_prefix);
    try {
      await withTimeout(
        this.transport.sendMail({ from: this.config.from, to: this.config.to, messageId: `<${notification.id}@vigil>`, ...mail }),
        context.timeoutMs,
      );
    } catch (error) {
      const smtpError = error as { responseCode?: number; code?: string; message?: string };
      // 5xx answers are the server refusing the mail or the login: retrying will not help.
      const permanent = typeof smtpError.responseCode === 'number' && smtpError.responseCode >= 500 && smtpError.code !== 'ETLS';
      throw new DeliveryError(`receiver "${this.receiver}": SMTP ${smtpError.code ?? 'error'}: ${smtpError.message ?? String(error)}`, permanent);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const smtpSinkType: SinkType<SmtpConfig> = {
  type: 'smtp',
  description: 'e-mail over SMTP (STARTTLS required by default), text and HTML',
  schema,
  create: (receiver, config) => new SmtpSink(receiver, config),
};
