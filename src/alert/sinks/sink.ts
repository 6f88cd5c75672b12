import type { z } from 'zod';
import type { Notification } from '../notification.js';

/** What the dispatcher tells a sink about the attempt it makes. */
export interface DeliveryContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** Same for every attempt of one notification; receivers that support it deduplicate by it. */
  idempotencyKey: string;
  timeoutMs: number;
}

/** Sends notifications to one configured receiver. Throws `DeliveryError` when it did not get there. */
export interface Sink {
  send(notification: Notification, context: DeliveryContext): Promise<void>;
  close?(): Promise<void>;
}

/**
 * One kind of receiver (Slack, PagerDuty, …): its config schema and how to build a sink from
 * it. Every kind is one file registered in `SINK_TYPES` (./index.ts).
 */
export interface SinkType<Config> {
  type: string;
  description: string;
  schema: z.ZodType<Config>;
  create(receiver: string, config: Config): Sink;
}

/**
 * A delivery that failed. `permanent` ones (the receiver rejected the content or the
 * credentials) go to the dead letters at once; others are retried with backoff, not before
 * `retryAfterMs` when the receiver asked for it.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
