import type { Outcome, VigilEvent } from './event.js';
import { actorKindOf } from './actor.js';
import { eventId } from './event-id.js';

/** Why a JSON value was not accepted as an audit Event; becomes the quarantine reason. */
export class NotAnAuditEvent extends Error {}

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;

/**
 * Normalizes one `audit.k8s.io/v1` or `v1beta1` Event. Unknown fields are kept in `raw`
 * untouched; only the fields Vigil indexes are read.
 */
export function normalizeAuditEvent(raw: Json, record: string, cluster: string): VigilEvent {
  const auditId = requireAuditShape(raw);
  const stage = raw.stage as string;
  const user = obj(raw.user);
  const userName = str(user?.username);
  const groups = Array.isArray(user?.groups) ? (user.groups as unknown[]).filter((g): g is string => typeof g === 'string') : undefined;
  const objectRef = obj(raw.objectRef);
  const status = obj(raw.responseStatus);
  const code = typeof status?.code === 'number' ? status.code : undefined;
  const annotations = obj(raw.annotations);
  const sourceIps = Array.isArray(raw.sourceIPs) ? raw.sourceIPs : undefined;
  const timestamp = auditTimestamp(raw);
  const dedupKey = `${auditId}\u0000${stage}`;
  return {
    id: eventId(timestamp, cluster, 'k8s.audit', dedupKey),
    timestamp,
    source: 'k8s.audit',
    cluster,
    dedupKey,
    kind: 'event',
    category: 'api',
    action: str(raw.verb),
    outcome: outcomeOf(code),
    userName,
    userGroups: groups,
    actorKind: actorKindOf(userName, groups),
    impersonatedUser: str(obj(raw.impersonatedUser)?.username),
    sourceIp: str(sourceIps?.[0]),
    userAgent: str(raw.userAgent),
    namespace: str(objectRef?.namespace),
    resourceType: str(objectRef?.resource),
    resourceName: str(objectRef?.name),
    subresource: str(objectRef?.subresource),
    apiGroup: str(objectRef?.apiGroup),
    statusCode: code,
    decision: str(annotations?.['authorization.k8s.io/decision']),
    requestUri: str(raw.requestURI),
    auditId,
    stage,
    message: str(status?.message) ?? str(status?.reason),
    raw,
    record,
  };
}

function requireAuditShape(raw: Json): string {
  if (raw.kind !== 'Event') {
    throw new NotAnAuditEvent(`not a Kubernetes audit Event: "kind" is ${JSON.stringify(raw.kind) ?? 'missing'}, expected "Event"`);
  }
  const apiVersion = raw.apiVersion;
  if (apiVersion !== undefined && !(typeof apiVersion === 'string' && apiVersion.startsWith('audit.k8s.io/'))) {
    throw new NotAnAuditEvent(
      `not a Kubernetes audit Event: apiVersion ${JSON.stringify(apiVersion)} is not audit.k8s.io/* (a core/v1 Event belongs to --source k8s-event)`,
    );
  }
  const auditId = str(raw.auditID);
  if (auditId === undefined) throw new NotAnAuditEvent('audit Event without "auditID"');
  if (str(raw.stage) === undefined) throw new NotAnAuditEvent(`audit Event ${auditId} without "stage"`);
  return auditId;
}

function auditTimestamp(raw: Json): number {
  for (const key of ['requestReceivedTimestamp', 'stageTimestamp', 'timestamp'] as const) {
    const value = raw[key];
    if (typeof value === 'string') {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  throw new NotAnAuditEvent(`audit Event ${String(raw.auditID)} has no valid requestReceivedTimestamp or stageTimestamp`);
}

function outcomeOf(code: number | undefined): Outcome {
  if (code === undefined) return 'unknown';
  return code < 400 ? 'success' : 'failure';
}
