import type { SourceKind, VigilEvent } from '../../../model/event.js';
import { compilePathReader, readPath } from '../../../model/path.js';
import { compileField } from '../../field-access.js';
import { AUDIT_EVENT_SOURCES } from '../rule-format.js';
import type { SigmaLogsource } from './sigma-document.js';

/**
 * Where a Sigma field's values come from, per log source (README.md has the table). Kubernetes
 * audit fields are paths of the audit Event, plus the names established Sigma backends map
 * (`apiGroup`, `hostPath`, `capabilities`, …); GKE Cloud Audit fields read the LogEntry.
 */

export type ValueType = 'string' | 'number' | 'string-list' | 'open';

export interface SigmaFieldTarget {
  /** What the field reads, for messages: `objectRef.apiGroup`. */
  path: string;
  get: (event: VigilEvent) => unknown;
  /** The type real events carry at that path; `open` where any JSON may appear. */
  type: ValueType;
  /** A Vigil field name for `group-by` and entities, when the target has one. */
  vigilName?: string;
}

export interface SigmaLogsourceMapping {
  /** How the log source is named in messages. */
  label: string;
  sources: readonly SourceKind[];
  /** The target of a field, or undefined when events of this log source never carry it. */
  field(name: string): SigmaFieldTarget | undefined;
}

function vigilField(path: string, type: ValueType, vigilName = path): SigmaFieldTarget {
  const field = compileField(vigilName);
  return { path, get: field.get, type, vigilName };
}

/** Backend names that are not audit Event paths (the pySigma `ecs_kubernetes` pipeline's names, mapped to the native event). */
const K8S_AUDIT_NAMES: Record<string, () => SigmaFieldTarget> = {
  apiGroup: () => vigilField('objectRef.apiGroup', 'string'),
  resource: () => vigilField('objectRef.resource', 'string'),
  subresource: () => vigilField('objectRef.subresource', 'string'),
  namespace: () => vigilField('objectRef.namespace', 'string'),
  name: () => vigilField('objectRef.name', 'string'),
  username: () => vigilField('user.username', 'string'),
  groups: () => vigilField('user.groups', 'string-list'),
  sourceIP: () => vigilField('sourceIPs', 'string-list'),
  hostPath: () => vigilField('requestObject.spec.volumes[*].hostPath.path', 'string', 'vigil.k8s.pod_spec.volumes.hostPath.path'),
  capabilities: () => vigilField('requestObject.spec.containers[*].securityContext.capabilities.add', 'string-list', 'vigil.k8s.containers.securityContext.capabilities.add'),
  privileged: () => vigilField('requestObject.spec.containers[*].securityContext.privileged', 'open', 'vigil.k8s.containers.securityContext.privileged'),
  image: () => vigilField('requestObject.spec.containers[*].image', 'string', 'vigil.k8s.containers.image'),
  hostNetwork: () => vigilField('requestObject.spec.hostNetwork', 'open', 'vigil.k8s.pod_spec.hostNetwork'),
  hostPID: () => vigilField('requestObject.spec.hostPID', 'open', 'vigil.k8s.pod_spec.hostPID'),
  hostIPC: () => vigilField('requestObject.spec.hostIPC', 'open', 'vigil.k8s.pod_spec.hostIPC'),
};

/** The audit.k8s.io/v1 Event: its fields, their types, and the objects below which any path may appear. */
const AUDIT_EVENT_TYPES: Record<string, ValueType> = {
  kind: 'string',
  apiVersion: 'string',
  level: 'string',
  auditID: 'string',
  stage: 'string',
  requestURI: 'string',
  verb: 'string',
  'user.username': 'string',
  'user.uid': 'string',
  'user.groups': 'string-list',
  'impersonatedUser.username': 'string',
  'impersonatedUser.uid': 'string',
  'impersonatedUser.groups': 'string-list',
  sourceIPs: 'string-list',
  userAgent: 'string',
  'objectRef.resource': 'string',
  'objectRef.namespace': 'string',
  'objectRef.name': 'string',
  'objectRef.uid': 'string',
  'objectRef.apiGroup': 'string',
  'objectRef.apiVersion': 'string',
  'objectRef.resourceVersion': 'string',
  'objectRef.subresource': 'string',
  'responseStatus.status': 'string',
  'responseStatus.message': 'string',
  'responseStatus.reason': 'string',
  'responseStatus.code': 'number',
  requestReceivedTimestamp: 'string',
  stageTimestamp: 'string',
};
const OPEN_OBJECTS = ['requestObject', 'responseObject', 'annotations', 'user.extra', 'impersonatedUser.extra', 'responseStatus.details', 'responseStatus.metadata', 'metadata'];

const kubernetesAudit: SigmaLogsourceMapping = {
  label: 'product kubernetes, service audit',
  sources: AUDIT_EVENT_SOURCES,
  field(name) {
    const named = K8S_AUDIT_NAMES[name];
    if (named !== undefined) return named();
    const type = AUDIT_EVENT_TYPES[name] ?? (OPEN_OBJECTS.some((prefix) => name === prefix || name.startsWith(`${prefix}.`)) ? 'open' : undefined);
    if (type === undefined) return undefined;
    return { path: name, get: rawGetter(name), type, vigilName: name };
  },
};

function rawGetter(path: string): (event: VigilEvent) => unknown {
  const read = compilePathReader(path);
  return (event) => read(event.raw);
}

/** The Cloud Audit LogEntry a GKE event was rebuilt from (its stored record), parsed once per event. */
const logEntries = new WeakMap<VigilEvent, unknown>();
function logEntryOf(event: VigilEvent): unknown {
  if (event.source !== 'cloud.gke') return undefined;
  if (!logEntries.has(event)) {
    let entry: unknown;
    try {
      entry = JSON.parse(event.record);
    } catch {
      entry = undefined;
    }
    logEntries.set(event, entry);
  }
  return logEntries.get(event);
}

const GCP_AUDIT_NAMES: Record<string, string> = {
  'gcp.audit.method_name': 'protoPayload.methodName',
  'gcp.audit.resource_name': 'protoPayload.resourceName',
  'gcp.audit.service_name': 'protoPayload.serviceName',
  'gcp.audit.principal_email': 'protoPayload.authenticationInfo.principalEmail',
  'gcp.audit.caller_ip': 'protoPayload.requestMetadata.callerIp',
  'gcp.audit.user_agent': 'protoPayload.requestMetadata.callerSuppliedUserAgent',
};

const gcpAudit: SigmaLogsourceMapping = {
  label: 'product gcp, service gcp.audit (GKE Kubernetes entries)',
  sources: ['cloud.gke'],
  field(name) {
    const path = GCP_AUDIT_NAMES[name] ?? (name.startsWith('gcp.audit.') ? undefined : name);
    if (path === undefined) return undefined;
    return { path, get: (event) => readPath(logEntryOf(event), path), type: 'open' };
  },
};

/** The mapping of a rule's log source, or undefined when Vigil collects no such log. */
export function mappingFor(logsource: SigmaLogsource): SigmaLogsourceMapping | undefined {
  if (logsource.product === 'kubernetes' && logsource.service === 'audit') return kubernetesAudit;
  if (logsource.product === 'gcp' && logsource.service === 'gcp.audit') return gcpAudit;
  return undefined;
}
