import type { VigilEvent } from '../model/event.js';
import { NotAnAuditEvent } from '../model/k8s-audit.js';
import { redactSecrets } from '../model/redact.js';
import { type CloudOrigin, cloudAuditEvent } from './cloud-audit.js';
import { controlPlaneLineEvent } from './control-plane-line.js';
import { type Json, describeValue, isObject, str, timeOf } from './json-value.js';
import { contentKey } from './record-identity.js';
import type { Decoded, DecodeContext, Source } from './source.js';

/** Categories of AKS resource logs (Microsoft.ContainerService/managedClusters diagnostic settings). */
const AUDIT_CATEGORIES = new Set(['kube-audit', 'kube-audit-admin']);
const LINE_CATEGORIES = new Set([
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'cluster-autoscaler',
  'cloud-controller-manager',
  'guard',
  'csi-azuredisk-controller',
  'csi-azurefile-controller',
  'csi-snapshot-controller',
]);

/** AKS's managed control plane acts as these users (the "Log roles" of Microsoft's view-master-logs page). */
const AKS_IDENTITIES = new Set(['aksService', 'masterclient', 'nodeclient']);
const isAksIdentity = (userName: string): boolean => AKS_IDENTITIES.has(userName);

/** Why an AKS record could not become an event; becomes the quarantine reason. */
class UnreadableAksRecord extends Error {}

interface AksRecord extends Json {
  category: string;
  properties: Json;
}

function isAksRecord(value: unknown): value is AksRecord {
  if (!isObject(value) || typeof value.category !== 'string' || !isObject(value.properties) || !('log' in value.properties)) return false;
  if (!AUDIT_CATEGORIES.has(value.category) && !LINE_CATEGORIES.has(value.category)) return false;
  const resourceId = str(value.resourceId) ?? '';
  const operation = str(value.operationName) ?? '';
  return /\/managedclusters\//i.test(resourceId) || operation.startsWith('Microsoft.ContainerService/managedClusters/');
}

/** What an Event Hub message of exported resource logs holds: `{"records": [...]}`. */
function isRecordBatch(value: unknown): value is { records: unknown[] } {
  return isObject(value) && Array.isArray(value.records) && value.records.length > 0 && isAksRecord(value.records[0]);
}

/**
 * AKS control-plane resource logs as Azure Monitor exports them (Event Hub, storage): single
 * records and `{"records": [...]}` batches. `kube-audit` and `kube-audit-admin` carry an audit
 * Event in `properties.log` — a JSON string or, as some shippers re-encode it, an object — and
 * become audit events under `cloud.aks`; other categories (API server, `guard` for Entra ID, …)
 * stay searchable log lines. Enable one of the two audit categories: kube-audit-admin is
 * kube-audit without get/list, and both together store writes twice (their envelopes differ).
 */
export const aksSource: Source = {
  kind: 'cloud.aks',
  name: 'aks',

  recognises(value) {
    return isAksRecord(value) || isRecordBatch(value);
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    if (isObject(value) && Array.isArray(value.records)) {
      value.records.forEach((record, index) => decodeRecord(record, JSON.stringify(record), `records[${index}]`, context, decoded));
    } else decodeRecord(value, text, '', context, decoded);
    return decoded;
  },
};

function decodeRecord(value: unknown, text: string, where: string, context: DecodeContext, into: Decoded): void {
  if (!isAksRecord(value)) {
    into.rejections.push({ reason: `not an AKS control-plane resource log record (category, properties.log, managedClusters resourceId), got ${isObject(value) ? 'another object' : describeValue(value)}`, where, text });
    return;
  }
  const origin: CloudOrigin = { podName: str(value.properties.pod), containerId: str(value.properties.containerID) };
  try {
    into.events.push(AUDIT_CATEGORIES.has(value.category) ? auditEvent(value, text, origin, context) : lineEvent(value, text, origin, context));
  } catch (error) {
    if (!(error instanceof NotAnAuditEvent || error instanceof UnreadableAksRecord)) throw error;
    into.rejections.push({ reason: `AKS ${value.category} record: ${error.message}`, where, text });
  }
}

function auditEvent(record: AksRecord, text: string, origin: CloudOrigin, context: DecodeContext): VigilEvent {
  const log = record.properties.log;
  let audit: unknown = log;
  if (typeof log === 'string') {
    try {
      audit = JSON.parse(log);
    } catch {
      throw new NotAnAuditEvent('properties.log is not JSON (it should hold the audit Event as a JSON string)');
    }
  }
  if (!isObject(audit)) throw new NotAnAuditEvent(`properties.log is ${describeValue(audit)}, not an audit Event`);
  let stored = text;
  if (redactSecrets(audit)) {
    const redactedLog = typeof log === 'string' ? JSON.stringify(audit) : audit;
    stored = JSON.stringify({ ...record, properties: { ...record.properties, log: redactedLog } });
  }
  return cloudAuditEvent(audit, stored, context.cluster, 'cloud.aks', origin, isAksIdentity);
}

function lineEvent(record: AksRecord, text: string, origin: CloudOrigin, context: DecodeContext): VigilEvent {
  const log = record.properties.log;
  const line = typeof log === 'string' ? log : JSON.stringify(log);
  const timestamp = timeOf(record.time);
  if (timestamp === undefined) throw new UnreadableAksRecord(`record has no valid "time" (${JSON.stringify(record.time) ?? 'missing'})`);
  return controlPlaneLineEvent({
    source: 'cloud.aks',
    cluster: context.cluster,
    timestamp,
    line,
    record: text,
    dedupKey: contentKey(text),
    origin,
    category: record.category === 'guard' ? 'authentication' : undefined,
  });
}
