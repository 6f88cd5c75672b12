import { TextDecoder } from 'node:util';
import { type Json, isObject } from './json-value.js';

/** The body Google Cloud Pub/Sub POSTs to a push endpoint (wrapped delivery). */
export interface PubSubPush extends Json {
  message: Json & { data?: unknown; attributes?: unknown; messageId?: unknown };
  subscription: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function isPubSubPush(value: unknown): value is PubSubPush {
  return isObject(value) && isObject(value.message) && typeof value.subscription === 'string';
}

/** The published bytes of a push message as text; throws with the reason when absent or not UTF-8. */
export function pubSubText(push: PubSubPush): string {
  const data = push.message.data;
  if (typeof data !== 'string' || data === '') throw new Error('Pub/Sub push message without "data"');
  try {
    return strictUtf8.decode(Buffer.from(data, 'base64'));
  } catch {
    throw new Error('Pub/Sub push message data is not base64 of UTF-8 text');
  }
}
