import type { VigilEvent } from '../model/event.js';
import { NotAnAuditEvent } from '../model/k8s-audit.js';
import { redactSecrets } from '../model/redact.js';
import { cloudAuditEvent } from './cloud-audit.js';
import {
  type SubscriptionLogEvent,
  type SubscriptionPayload,
  decodeFirehoseData,
  isFilteredLogEvent,
  isFilteredLogEventList,
  isFirehoseRequest,
  isSubscriptionLogEvent,
  isSubscriptionPayload,
  singleEventPayload,
} from './cloudwatch.js';
import { controlPlaneLineEvent } from './control-plane-line.js';
import { authenticatorEvent, isEksIdentity } from './eks-authenticator.js';
import { describeValue, isObject, str } from './json-value.js';
import { contentKey } from './record-identity.js';
import type { Decoded, DecodeContext, Source } from './source.js';

/** EKS sends control-plane logs to this CloudWatch group (awsdocs amazon-eks-user-guide control-plane-logs.md). */
const EKS_LOG_GROUP = /^\/aws\/eks\/[^/]+\/cluster$/;

type StreamKind = 'audit' | 'authenticator' | 'component';

/** Log stream prefixes per EKS log type; the audit prefix must come before the API server's. */
const STREAMS: ReadonlyArray<readonly [string, StreamKind]> = [
  ['kube-apiserver-audit-', 'audit'],
  ['authenticator-', 'authenticator'],
  ['kube-apiserver-', 'component'],
  ['kube-controller-manager-', 'component'],
  ['kube-scheduler-', 'component'],
  ['cloud-controller-manager-', 'component'],
];

const streamKind = (stream: string): StreamKind | undefined => STREAMS.find(([prefix]) => stream.startsWith(prefix))?.[1];

/** One CloudWatch log event with what is needed to store it on its own. */
interface LogEventInput {
  logStream: string;
  event: SubscriptionLogEvent;
  /** The stored record of this event, given the message to keep (redaction may change it). */
  recordWith(message: string): string;
  where: string;
}

/**
 * Amazon EKS control-plane logs from CloudWatch Logs: subscription payloads (as Kinesis Data
 * Firehose delivers them to an HTTP endpoint, whose request body is read too), and the events
 * `aws logs filter-log-events` prints. Audit streams become audit events under `cloud.eks`;
 * authenticator lines become authentication events; other component lines stay searchable.
 * Every event is stored as its own record that decodes back to it.
 */
export const eksSource: Source = {
  kind: 'cloud.eks',
  name: 'eks',

  recognises(value) {
    if (isSubscriptionPayload(value)) return isEksPayload(value);
    if (isFirehoseRequest(value)) return firstRecordIsEks(value.records);
    if (isFilteredLogEventList(value)) return isFilteredLogEvent(value.events[0]) && streamKind(value.events[0].logStreamName) !== undefined;
    return isFilteredLogEvent(value) && streamKind(value.logStreamName) !== undefined;
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    if (isFirehoseRequest(value)) decodeFirehoseRecords(value.records, context, decoded);
    else if (isSubscriptionPayload(value)) decodePayload(value, text, '', context, decoded);
    else if (isFilteredLogEventList(value)) decodeFilteredList(value.events, context, decoded);
    else if (isFilteredLogEvent(value)) {
      const recordWith = (message: string) => (message === value.message ? text : JSON.stringify({ ...value, message }));
      decodeLogEvent({ logStream: value.logStreamName, event: { ...value, id: str(value.eventId) }, recordWith, where: '' }, context, decoded);
    } else {
      decoded.rejections.push({ reason: `not an EKS CloudWatch Logs record (subscription payload, Firehose request or log event), got ${describeValue(value)}`, where: '', text });
    }
    return decoded;
  },
};

function isEksPayload(payload: SubscriptionPayload): boolean {
  return payload.messageType === 'CONTROL_MESSAGE' || EKS_LOG_GROUP.test(payload.logGroup) || streamKind(payload.logStream) !== undefined;
}

function firstRecordIsEks(records: ReadonlyArray<{ data: string }>): boolean {
  if (records.length === 0) return false;
  try {
    const { value } = decodeFirehoseData(records[0].data);
    return isSubscriptionPayload(value) && isEksPayload(value);
  } catch {
    return false;
  }
}

/** Decodes the records of a Firehose HTTP-endpoint request, each a gzip-compressed subscription payload. */
function decodeFirehoseRecords(records: ReadonlyArray<{ data: string }>, context: DecodeContext, into: Decoded): void {
  records.forEach((record, index) => {
    const where = `records[${index}]`;
    let payload: { value: unknown; text: string };
    try {
      payload = decodeFirehoseData(record.data);
    } catch (error) {
      into.rejections.push({ reason: (error as Error).message, where, text: record.data });
      return;
    }
    if (!isSubscriptionPayload(payload.value)) {
      into.rejections.push({ reason: 'Firehose record is not a CloudWatch Logs subscription payload (logGroup, logStream, logEvents)', where, text: payload.text });
      return;
    }
    decodePayload(payload.value, payload.text, where, context, into);
  });
}

/** A control message (CloudWatch checking the destination) carries no log events; other log groups are refused. */
function decodePayload(payload: SubscriptionPayload, text: string, where: string, context: DecodeContext, into: Decoded): void {
  if (payload.messageType === 'CONTROL_MESSAGE') return;
  if (!isEksPayload(payload)) {
    into.rejections.push({ reason: `log group "${payload.logGroup}", stream "${payload.logStream}" is not an EKS control-plane log (/aws/eks/<cluster>/cluster)`, where, text });
    return;
  }
  const alone = payload.logEvents.length === 1;
  payload.logEvents.forEach((event, index) => {
    const eventWhere = `${where ? `${where} ` : ''}logEvents[${index}]`;
    if (!isSubscriptionLogEvent(event)) {
      into.rejections.push({ reason: 'CloudWatch log event without a numeric "timestamp" and a string "message"', where: eventWhere, text: JSON.stringify(event) });
      return;
    }
    const recordWith = (message: string) =>
      alone && message === event.message ? text : singleEventPayload(payload, { ...event, message });
    decodeLogEvent({ logStream: payload.logStream, event, recordWith, where: eventWhere }, context, into);
  });
}

function decodeFilteredList(events: readonly unknown[], context: DecodeContext, into: Decoded): void {
  events.forEach((event, index) => {
    const where = `events[${index}]`;
    if (!isFilteredLogEvent(event)) {
      into.rejections.push({ reason: 'log event without "logStreamName", numeric "timestamp" and "message"', where, text: JSON.stringify(event) });
      return;
    }
    const recordWith = (message: string) => JSON.stringify({ ...event, message });
    decodeLogEvent({ logStream: event.logStreamName, event: { ...event, id: str(event.eventId) }, recordWith, where }, context, into);
  });
}

function decodeLogEvent(input: LogEventInput, context: DecodeContext, into: Decoded): void {
  const kind = streamKind(input.logStream) ?? (input.event.message.startsWith('{') ? 'audit' : 'component');
  try {
    into.events.push(kind === 'audit' ? auditEvent(input, context) : lineEvent(kind, input, context));
  } catch (error) {
    if (!(error instanceof NotAnAuditEvent)) throw error;
    into.rejections.push({ reason: `EKS audit stream ${input.logStream}: ${error.message}`, where: input.where, text: input.event.message });
  }
}

function auditEvent(input: LogEventInput, context: DecodeContext): VigilEvent {
  let audit: unknown;
  try {
    audit = JSON.parse(input.event.message);
  } catch {
    throw new NotAnAuditEvent('log event message is not JSON (an audit stream holds one audit Event per message)');
  }
  if (!isObject(audit)) throw new NotAnAuditEvent(`log event message is ${describeValue(audit)}, not an audit Event`);
  const record = redactSecrets(audit) ? input.recordWith(JSON.stringify(audit)) : input.recordWith(input.event.message);
  return cloudAuditEvent(audit, record, context.cluster, 'cloud.eks', { hostName: input.logStream }, isEksIdentity);
}

function lineEvent(kind: 'authenticator' | 'component', input: LogEventInput, context: DecodeContext): VigilEvent {
  const record = input.recordWith(input.event.message);
  const dedupKey = input.event.id ?? contentKey(record);
  const line = { line: input.event.message, timestamp: input.event.timestamp, dedupKey, record, cluster: context.cluster };
  if (kind === 'authenticator') {
    const event = authenticatorEvent({ ...line, logStream: input.logStream });
    if (event) return event;
  }
  return controlPlaneLineEvent({ ...line, source: 'cloud.eks', origin: { hostName: input.logStream } });
}
