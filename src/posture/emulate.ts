import { levelAtLeast, type AuditLevel, type AuditStage } from './audit-levels.js';
import type { AuditPolicy } from './audit-policy.js';
import { groupsOfResource } from './kubernetes-resources.js';
import type { RequestShape } from './request-shape.js';
import { evaluatePolicy, loggedStages } from './simulator.js';

/**
 * What kube-apiserver would write for the request an audit Event describes, under a policy:
 * nothing at level None; otherwise one event per stage that is produced and not omitted, without
 * the request body below Request and the response body below RequestResponse. Replaying a rule's
 * own test events through this shows end to end, with the real engine, whether it still fires.
 */
export function emulateAuditLog(policy: AuditPolicy, event: Record<string, unknown>): Record<string, unknown>[] {
  const request = requestShapeOf(event);
  const decision = evaluatePolicy(policy, request);
  return loggedStages(decision, request).map((stage) => asLogged(event, stage, decision.level));
}

function asLogged(event: Record<string, unknown>, stage: AuditStage, level: AuditLevel): Record<string, unknown> {
  const logged: Record<string, unknown> = { ...event, stage, level };
  if (!levelAtLeast(level, 'Request')) delete logged.requestObject;
  if (!levelAtLeast(level, 'RequestResponse')) delete logged.responseObject;
  if (stage === 'RequestReceived') {
    // Written before the handler runs: no response yet, and authorization has not annotated it.
    delete logged.responseStatus;
    delete logged.responseObject;
    delete logged.annotations;
  }
  return logged;
}

/**
 * The policy-visible attributes of a recorded request. Events written by hand often omit
 * objectRef.apiGroup for non-core resources; the group is then taken from the resource name.
 */
export function requestShapeOf(event: Record<string, unknown>): RequestShape {
  const user = object(event.user);
  const username = typeof user?.username === 'string' && user.username !== '' ? user.username : undefined;
  const groups = Array.isArray(user?.groups) ? user.groups.filter((group): group is string => typeof group === 'string') : [];
  const shapeUser = username === undefined ? undefined : { name: username, groups };
  const verb = typeof event.verb === 'string' ? event.verb : 'get';
  const ref = object(event.objectRef);
  if (ref === undefined || typeof ref.resource !== 'string') {
    const uri = typeof event.requestURI === 'string' ? event.requestURI : '/';
    return { user: shapeUser, verb, path: uri.split('?')[0] };
  }
  const group = typeof ref.apiGroup === 'string' ? ref.apiGroup : (groupsOfResource(ref.resource)?.[0] ?? '');
  return {
    user: shapeUser,
    verb,
    resource: {
      group,
      resource: ref.resource,
      subresource: typeof ref.subresource === 'string' && ref.subresource !== '' ? ref.subresource : undefined,
      namespace: typeof ref.namespace === 'string' ? ref.namespace : '',
      name: typeof ref.name === 'string' ? ref.name : undefined,
    },
  };
}

function object(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
