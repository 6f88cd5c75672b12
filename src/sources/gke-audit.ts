import { type Json, isObject, str } from './json-value.js';

/**
 * Rebuilds the Kubernetes audit Event behind a GKE Cloud Audit Logs entry for `k8s.io`, so the
 * same normalizer and rules serve it. The mapping follows the LogEntry/AuditLog schema
 * (methodName `io.k8s.<group>.<version>.<resource>[.<subresource>].<verb>`, resourceName
 * `<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`).
 *
 * GKE does not log the audit stage nor the HTTP status: they are inferred — `ResponseStarted`
 * and 101 for exec/attach/port-forward, else `ResponseComplete` and the HTTP status of the
 * google.rpc code (201 for a successful create) — and the request URI is rebuilt from the
 * resource name without its query string. The annotation `vigil/inferred` names these fields.
 */
export function auditEventOfLogEntry(entry: Json): Json {
  const payload = isObject(entry.protoPayload) ? entry.protoPayload : {};
  const method = parseMethodName(str(payload.methodName) ?? '');
  const target = targetOf(str(payload.resourceName), method.resource);
  const streaming = STREAMING_SUBRESOURCES.has(String(target.objectRef?.subresource ?? method.subresource));
  const authentication = isObject(payload.authenticationInfo) ? payload.authenticationInfo : {};
  const requestMetadata = isObject(payload.requestMetadata) ? payload.requestMetadata : {};
  const status = isObject(payload.status) ? payload.status : {};
  const rpcCode = typeof status.code === 'number' ? status.code : 0;
  const time = str(entry.timestamp) ?? str(entry.receiveTimestamp);
  const callerIp = str(requestMetadata.callerIp);
  return dropUndefined({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: levelOf(payload),
    auditID: str(entry.insertId) ?? str(isObject(entry.operation) ? entry.operation.id : undefined),
    stage: streaming ? 'ResponseStarted' : 'ResponseComplete',
    requestURI: target.requestURI,
    verb: method.verb,
    user: dropUndefined({ username: str(authentication.principalEmail) }),
    sourceIPs: callerIp ? [callerIp] : undefined,
    userAgent: str(requestMetadata.callerSuppliedUserAgent),
    objectRef: target.objectRef,
    responseStatus: dropUndefined({ code: httpStatusOf(rpcCode, method.verb, streaming), message: str(status.message) }),
    requestObject: payload.request,
    responseObject: payload.response,
    requestReceivedTimestamp: time,
    stageTimestamp: time,
    annotations: annotationsOf(entry, payload),
  });
}

const VERSION = /^v\d+(?:(?:alpha|beta)\d+)?$/;
const STREAMING_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

interface Method {
  verb?: string;
  resource?: string;
  subresource?: string;
}

/** `io.k8s.core.v1.pods.exec.create` → create on pods/exec; `io.k8s.get` (a non-resource URL) → get. */
export function parseMethodName(methodName: string): Method {
  const parts = methodName.split('.');
  const verb = parts.length > 1 ? parts[parts.length - 1] : undefined;
  const version = parts.findIndex((part) => VERSION.test(part));
  if (version < 0 || version + 2 >= parts.length) return { verb };
  const [resource, subresource] = parts.slice(version + 1, -1);
  return { verb, resource, subresource };
}

interface Target {
  requestURI: string;
  objectRef?: Json;
}

/**
 * The object and URI a resource name stands for. `namespaces/<ns>/…` names a namespaced object
 * unless the method is about the namespace itself; a name without a version is a non-resource path.
 */
export function targetOf(resourceName: string | undefined, methodResource: string | undefined): Target {
  if (resourceName === undefined) return { requestURI: '/' };
  const parts = resourceName.split('/');
  if (parts.length < 3 || !VERSION.test(parts[1])) return { requestURI: `/${resourceName}` };
  const [group, version, ...rest] = parts;
  const namespaced = rest[0] === 'namespaces' && methodResource !== 'namespaces' && rest.length >= 3;
  const [resource, name, subresource] = namespaced ? rest.slice(2) : rest;
  const prefix = group === 'core' ? `/api/${version}` : `/apis/${group}/${version}`;
  return {
    requestURI: `${prefix}/${rest.join('/')}`,
    objectRef: dropUndefined({
      resource,
      namespace: namespaced ? rest[1] : undefined,
      name,
      subresource,
      apiGroup: group === 'core' ? '' : group,
      apiVersion: version,
    }),
  };
}

/** HTTP status of a google.rpc.Code, as google/rpc/code.proto maps them. */
const HTTP_OF_RPC: Readonly<Record<number, number>> = {
  1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

function httpStatusOf(rpcCode: number, verb: string | undefined, streaming: boolean): number {
  if (rpcCode !== 0) return HTTP_OF_RPC[rpcCode] ?? 500;
  if (streaming) return 101;
  return verb === 'create' ? 201 : 200;
}

function levelOf(payload: Json): string {
  if (payload.response !== undefined) return 'RequestResponse';
  return payload.request !== undefined ? 'Request' : 'Metadata';
}

/**
 * GKE copies the apiserver's audit annotations into `LogEntry.labels`. When the authorization
 * decision is missing there, `authorizationInfo[].granted` tells it.
 */
function annotationsOf(entry: Json, payload: Json): Json {
  const annotations: Json = { ...(isObject(entry.labels) ? entry.labels : {}) };
  const checks = Array.isArray(payload.authorizationInfo) ? payload.authorizationInfo.filter(isObject) : [];
  if (annotations['authorization.k8s.io/decision'] === undefined && checks.length > 0) {
    annotations['authorization.k8s.io/decision'] = checks.every((check) => check.granted === true) ? 'allow' : 'forbid';
  }
  annotations['vigil/inferred'] = 'stage,responseStatus.code,requestURI';
  return annotations;
}

function dropUndefined(object: Json): Json {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}
