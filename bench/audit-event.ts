import { type ResourceTarget, objectRefOf, resourcePath } from './kube-api.js';
import type { Random } from './random.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
export type Level = 'Metadata' | 'Request' | 'RequestResponse';

/** One API request as an actor makes it; `toAuditEvents` turns it into what the apiserver records. */
export interface ApiRequest {
  verb: Verb;
  /** The resource addressed; absent for non-resource requests such as `/api` discovery. */
  target?: ResourceTarget;
  /** Path of a non-resource request (only when there is no target). */
  path?: string;
  /** Query string without the leading "?". */
  query?: string;
  /** Forces the response code; otherwise it is drawn from what is usual for the verb. */
  code?: number;
  level?: Level;
  requestObject?: unknown;
  /** UID of the addressed object, recorded in `objectRef` for writes of a whole object. */
  uid?: string;
  annotations?: Record<string, string>;
  /** Long-running requests (watch, exec): the stream's length; yields ResponseStarted and ResponseComplete. */
  streamMs?: number;
}

/** Who sends a request, as the apiserver authenticated it. */
export interface Identity {
  user: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  userAgent: string;
  sourceIps: string[];
  /** `authorization.k8s.io/reason` when the request is allowed (RBAC binding, or "" for the Node authorizer). */
  allowReason: string;
}

export interface TimedEvent {
  /** When the event is written: its stageTimestamp, in microseconds since the epoch. */
  atMicros: number;
  event: Record<string, unknown>;
}

/**
 * The audit events the apiserver writes for one request received at `receivedMicros`:
 * one at ResponseComplete, preceded by one at ResponseStarted for long-running requests.
 */
export function toAuditEvents(random: Random, identity: Identity, request: ApiRequest, receivedMicros: number): TimedEvent[] {
  const code = request.code ?? usualCode(random, request.verb);
  const auditId = random.uuid();
  const common = commonFields(random, identity, request, code);
  const received = formatMicros(receivedMicros);
  const event = (stage: string, atMicros: number): TimedEvent => ({
    atMicros,
    event: {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: common.level,
      auditID: auditId,
      stage,
      ...common.fields,
      requestReceivedTimestamp: received,
      stageTimestamp: formatMicros(atMicros),
      annotations: common.annotations,
    },
  });
  const latencyMicros = latencyOf(random, request.verb);
  if (request.streamMs === undefined || code >= 400) return [event('ResponseComplete', receivedMicros + latencyMicros)];
  const startedAt = receivedMicros + Math.min(latencyMicros, 2_000);
  return [event('ResponseStarted', startedAt), event('ResponseComplete', startedAt + request.streamMs * 1000)];
}

function commonFields(random: Random, identity: Identity, request: ApiRequest, code: number) {
  const uri = (request.target ? resourcePath(request.target) : (request.path ?? '/')) + (request.query ? `?${request.query}` : '');
  const level = request.level ?? 'Metadata';
  const carriesObject = request.verb === 'update' || (request.verb === 'patch' && request.uid !== undefined);
  const fields: Record<string, unknown> = {
    requestURI: uri,
    verb: request.verb,
    user: identity.user,
    sourceIPs: identity.sourceIps,
    userAgent: identity.userAgent,
  };
  if (request.target) {
    const identityOfObject = carriesObject ? { uid: request.uid ?? random.uuid(), resourceVersion: String(random.between(1_000_000, 99_999_999)) } : undefined;
    fields.objectRef = objectRefOf(request.target, identityOfObject);
  }
  fields.responseStatus = responseStatus(identity, request, code);
  if (level !== 'Metadata' && request.requestObject !== undefined && code < 400) fields.requestObject = request.requestObject;
  const annotations: Record<string, string> =
    code === 403
      ? { 'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': '' }
      : { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': identity.allowReason, ...request.annotations };
  return { level, fields, annotations };
}

/** Mostly success; the error codes a healthy cluster still shows (stale reads, optimistic-lock conflicts). */
function usualCode(random: Random, verb: Verb): number {
  const roll = random.next();
  switch (verb) {
    case 'get':
      return roll < 0.03 ? 404 : 200;
    case 'create':
      return roll < 0.02 ? 409 : 201;
    case 'update':
      return roll < 0.02 ? 409 : 200;
    case 'delete':
      return roll < 0.05 ? 404 : 200;
    case 'patch':
      return roll < 0.005 ? 404 : 200;
    default:
      return 200;
  }
}

function responseStatus(identity: Identity, request: ApiRequest, code: number): Record<string, unknown> {
  if (code < 400) return request.verb === 'delete' ? { metadata: {}, status: 'Success', code } : { metadata: {}, code };
  const target = request.target;
  const resource = target?.kind.resource ?? '';
  const name = target?.name ?? '';
  const subject = name === '' ? resource : `${resource} "${name}"`;
  const failure = (reason: string, message: string) => ({
    metadata: {},
    status: 'Failure',
    message,
    reason,
    details: { ...(name ? { name } : {}), ...(target ? { group: target.kind.group || undefined, kind: resource } : {}) },
    code,
  });
  switch (code) {
    case 403: {
      const scope = target?.namespace ? ` in the namespace "${target.namespace}"` : ' at the cluster scope';
      const what = target ? `resource "${resource}" in API group "${target.kind.group}"${scope}` : `path "${request.path ?? '/'}"`;
      return failure('Forbidden', `${subject || 'forbidden'} is forbidden: User "${identity.user.username}" cannot ${request.verb} ${what}`);
    }
    case 404:
      return failure('NotFound', `${subject} not found`);
    case 409:
      return request.verb === 'create'
        ? failure('AlreadyExists', `${subject} already exists`)
        : failure(
            'Conflict',
            `Operation cannot be fulfilled on ${resource}${target?.kind.group ? `.${target.kind.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          );
    default:
      return failure('InternalError', `Internal error occurred: ${subject}`);
  }
}

/** Server-side handling time in microseconds: reads are quick, lists and writes slower. */
function latencyOf(random: Random, verb: Verb): number {
  switch (verb) {
    case 'get':
      return random.between(400, 9_000);
    case 'list':
      return random.between(2_000, 180_000);
    case 'watch':
      return random.between(300, 3_000);
    default:
      return random.between(2_500, 40_000);
  }
}

/** RFC 3339 with microseconds, as `metav1.MicroTime` is written. */
export function formatMicros(micros: number): string {
  const millis = Math.floor(micros / 1000);
  return `${new Date(millis).toISOString().slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}
