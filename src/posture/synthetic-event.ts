import type { VigilEvent } from '../model/event.js';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import type { AuditStage } from './audit-levels.js';
import type { RequestShape } from './request-shape.js';

/**
 * The audit Event kube-apiserver would write for a request shape at Metadata level, normalized as
 * Vigil would ingest it: lets a rule's own field tests decide whether the shape is one it watches.
 */
export function syntheticAuditRecord(request: RequestShape, stage: AuditStage = 'ResponseComplete'): Record<string, unknown> {
  const target = request.resource;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'vigil-posture',
    stage,
    verb: request.verb,
    requestURI: requestUriOf(request),
    user: request.user === undefined ? {} : { username: request.user.name, groups: [...request.user.groups] },
    objectRef:
      target === undefined
        ? undefined
        : {
            resource: target.resource,
            subresource: target.subresource,
            namespace: target.namespace === '' ? undefined : target.namespace,
            name: target.name,
            apiGroup: target.group === '' ? undefined : target.group,
          },
    requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z',
  };
}

export function syntheticEvent(request: RequestShape): VigilEvent {
  const raw = syntheticAuditRecord(request);
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'posture');
}

function requestUriOf(request: RequestShape): string {
  const target = request.resource;
  if (target === undefined) return request.path ?? '/';
  const prefix = target.group === '' ? '/api/v1' : `/apis/${target.group}/v1`;
  const namespace = target.namespace === '' ? '' : `/namespaces/${target.namespace}`;
  const name = target.name === undefined ? '' : `/${target.name}`;
  const subresource = target.subresource === undefined ? '' : `/${target.subresource}`;
  return `${prefix}${namespace}/${target.resource}${name}${subresource}`;
}
