import { gunzipSync } from 'node:zlib';
import { type Json, isObject } from './json-value.js';

/**
 * Amazon CloudWatch Logs delivery shapes: the subscription-filter payload (what Kinesis Data
 * Firehose and Lambda receive), the Firehose HTTP-endpoint request that wraps such payloads, and
 * the log events `aws logs filter-log-events` / `get-log-events` print.
 */

/** One log event of a subscription payload. */
export interface SubscriptionLogEvent {
  id?: string;
  timestamp: number;
  message: string;
}

export interface SubscriptionPayload extends Json {
  messageType: string;
  logGroup: string;
  logStream: string;
  logEvents: unknown[];
}

/** An event as `aws logs filter-log-events` prints it (`get-log-events` lacks the stream name). */
export interface FilteredLogEvent extends Json {
  logStreamName: string;
  timestamp: number;
  message: string;
  eventId?: string;
}

/** The body Firehose POSTs to an HTTP endpoint: records whose data is base64. */
export interface FirehoseRequest extends Json {
  requestId: string;
  timestamp?: number;
  records: Array<{ data: string }>;
}

/** Largest decompressed record a Firehose record may expand to (CloudWatch batches are ~1 MB compressed). */
const MAX_PAYLOAD_BYTES = 64 << 20;

export function isSubscriptionPayload(value: unknown): value is SubscriptionPayload {
  return (
    isObject(value) &&
    typeof value.messageType === 'string' &&
    typeof value.logGroup === 'string' &&
    typeof value.logStream === 'string' &&
    Array.isArray(value.logEvents)
  );
}

export function isSubscriptionLogEvent(value: unknown): value is SubscriptionLogEvent {
  return isObject(value) && typeof value.timestamp === 'number' && typeof value.message === 'string';
}

export function isFilteredLogEvent(value: unknown): value is FilteredLogEvent {
  return isObject(value) && typeof value.logStreamName === 'string' && typeof value.timestamp === 'number' && typeof value.message === 'string';
}

/** `filter-log-events` output: `{"events": [...], "searchedLogStreams": [...]}`. */
export function isFilteredLogEventList(value: unknown): value is { events: unknown[] } {
  return isObject(value) && Array.isArray(value.events) && value.events.length > 0 && isFilteredLogEvent(value.events[0]);
}

export function isFirehoseRequest(value: unknown): value is FirehoseRequest {
  return (
    isObject(value) &&
    typeof value.requestId === 'string' &&
    Array.isArray(value.records) &&
    value.records.every((record) => isObject(record) && typeof record.data === 'string')
  );
}

/**
 * The JSON inside one Firehose record: base64 of the payload, gzip-compressed when a CloudWatch
 * subscription produced it. Throws with the reason when the data is neither.
 */
export function decodeFirehoseData(data: string): { value: unknown; text: string } {
  const bytes = Buffer.from(data, 'base64');
  let plain: Buffer;
  try {
    plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_PAYLOAD_BYTES }) : bytes;
  } catch (error) {
    throw new Error(`record data is gzip that cannot be decompressed (${(error as Error).message})`);
  }
  const text = plain.toString('utf8');
  try {
    return { value: JSON.parse(text), text };
  } catch {
    throw new Error('record data is not base64 of JSON (nor of gzip-compressed JSON, as CloudWatch subscriptions send)');
  }
}

/**
 * The stored record of one event of a subscription payload: the payload carrying only that event
 * (with its message replaced when redaction changed it), so every stored record stands alone and
 * decodes back to the same event.
 */
export function singleEventPayload(payload: SubscriptionPayload, event: SubscriptionLogEvent): string {
  return JSON.stringify({ ...payload, logEvents: [event] });
}
