import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { Notification } from '../notification.js';
import { postBody } from './http-post.js';
import type { DeliveryContext, Sink, SinkType } from './sink.js';

/**
 * Generic JSON webhook. The body is the notification (`version: "vigil.notification/v1"`).
 * With a `secret`, every request carries
 *   X-Vigil-Timestamp: <unix seconds>
 *   X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 * so the receiver can check origin and reject replays; `Idempotency-Key` is the notification
 * id, the same on every retry, and `X-Vigil-Attempt` counts the attempts.
 */
export const WEBHOOK_VERSION = 'vigil.notification/v1';
export const SIGNATURE_HEADER = 'x-vigil-signature';
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';

const schema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16, 'use at least 16 characters').optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
type WebhookConfig = z.infer<typeof schema>;

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookBody(notification: Notification): string {
  return JSON.stringify({ version: WEBHOOK_VERSION, ...notification });
}

class WebhookSink implements Sink {
  constructor(
    private readonly receiver: string,
    private readonly config: WebhookConfig,
  ) {}

  async send(notification: Notification, context: DeliveryContext): Promise<void> {
    const body = webhookBody(notification);
    const headers: Record<string, string> = { ...this.config.headers, 'idempotency-key': context.idempotencyKey, 'x-vigil-attempt': String(context.attempt) };
    if (this.config.secret !== undefined) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signWebhook(this.config.secret, timestamp, body);
    }
    await postBody(this.config.url, body, { receiver: this.receiver, headers, timeoutMs: context.timeoutMs });
  }
}

export const webhookSinkType: SinkType<WebhookConfig> = {
  type: 'webhook',
  description: 'JSON POST, HMAC-SHA256 signed, with an idempotency key',
  schema,
  create: (receiver, config) => new WebhookSink(receiver, config),
};
