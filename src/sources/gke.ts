import { NotAnAuditEvent } from '../model/k8s-audit.js';
import { redactSecrets } from '../model/redact.js';
import { cloudAuditEvent } from './cloud-audit.js';
import { auditEventOfLogEntry } from './gke-audit.js';
import { type Json, describeValue, isObject } from './json-value.js';
import { type PubSubPush, isPubSubPush, pubSubText } from './pubsub.js';
import type { Decoded, DecodeContext, Source } from './source.js';

/** A Cloud Audit Logs entry written by GKE's Kubernetes API server. */
function isK8sLogEntry(value: unknown): value is Json {
  if (!isObject(value) || !isObject(value.protoPayload)) return false;
  const payload = value.protoPayload;
  return payload.serviceName === 'k8s.io' && typeof payload.methodName === 'string';
}

/**
 * GKE Kubernetes audit logs: Cloud Audit Logs `LogEntry`s for `k8s.io` (as `gcloud logging read
 * --format=json` or a log sink writes them), also inside a Pub/Sub push envelope. Each becomes
 * the audit event it describes under `cloud.gke` (see gke-audit.ts for what is inferred); the
 * LogEntry is stored verbatim.
 */
export const gkeSource: Source = {
  kind: 'cloud.gke',
  name: 'gke',

  recognises(value) {
    if (isK8sLogEntry(value)) return true;
    if (!isPubSubPush(value)) return false;
    try {
      return isK8sLogEntry(JSON.parse(pubSubText(value)));
    } catch {
      return false;
    }
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    if (isPubSubPush(value)) decodePush(value, context, decoded);
    else decodeEntry(value, text, '', context, decoded);
    return decoded;
  },
};

/** Decodes the LogEntry a Pub/Sub push message carries. */
function decodePush(push: PubSubPush, context: DecodeContext, into: Decoded): void {
  let text: string;
  let entry: unknown;
  try {
    text = pubSubText(push);
    entry = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'Pub/Sub message data is not JSON (a log sink publishes one LogEntry per message)' : (error as Error).message;
    into.rejections.push({ reason, where: 'message.data', text: JSON.stringify(push.message) });
    return;
  }
  decodeEntry(entry, text, 'message.data', context, into);
}

function decodeEntry(entry: unknown, text: string, where: string, context: DecodeContext, into: Decoded): void {
  if (!isK8sLogEntry(entry)) {
    into.rejections.push({ reason: `not a GKE Kubernetes audit LogEntry (protoPayload.serviceName "k8s.io"), got ${isObject(entry) ? 'another LogEntry or object' : describeValue(entry)}`, where, text });
    return;
  }
  const audit = auditEventOfLogEntry(entry);
  // The rebuilt event shares request/response objects with the entry: redacting one redacts both.
  const record = redactSecrets(audit) ? JSON.stringify(entry) : text;
  try {
    into.events.push(cloudAuditEvent(audit, record, context.cluster, 'cloud.gke'));
  } catch (error) {
    if (!(error instanceof NotAnAuditEvent)) throw error;
    into.rejections.push({ reason: `GKE audit LogEntry: ${error.message}`, where, text });
  }
}
