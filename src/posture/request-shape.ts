import type { AuditStage } from './audit-levels.js';
import { isLongRunning } from './kubernetes-resources.js';

/** The authenticated user of a request, as the audit policy sees it (before impersonation). */
export interface RequestUser {
  name: string;
  groups: readonly string[];
}

export interface ResourceTarget {
  /** "" is the core group. */
  group: string;
  resource: string;
  subresource?: string;
  /** "" for cluster-scoped resources and for requests across all namespaces. */
  namespace: string;
  name?: string;
}

/**
 * What the audit policy matches on: the request attributes kube-apiserver hands the policy
 * evaluator (user, verb, resource with group, subresource, namespace and name, or a URL path).
 */
export interface RequestShape {
  /** Undefined: the request failed authentication (401), so no user is known. */
  user?: RequestUser;
  /** Kubernetes verb; for non-resource requests the lower-cased HTTP method. */
  verb: string;
  resource?: ResourceTarget;
  /** Path of a non-resource request (`/healthz`, `/api`), without query string. */
  path?: string;
}

/** The stages kube-apiserver emits for this request (ResponseStarted only for long-running ones). */
export function stagesProduced(request: RequestShape): AuditStage[] {
  return isLongRunning(request.verb, request.resource?.subresource)
    ? ['RequestReceived', 'ResponseStarted', 'ResponseComplete']
    : ['RequestReceived', 'ResponseComplete'];
}

/** `pods/exec`, `deployments.apps`, `events.events.k8s.io`: resource as kubectl would name it. */
export function resourceLabel(target: ResourceTarget): string {
  const path = target.subresource === undefined ? target.resource : `${target.resource}/${target.subresource}`;
  return target.group === '' ? path : `${path} (${target.group})`;
}

/** One line for people: `create pods/exec in payments/api by alice@example.com`. */
export function describeRequest(request: RequestShape): string {
  const who = request.user === undefined ? 'an unauthenticated client (401)' : request.user.name;
  if (request.resource === undefined) return `${request.verb} ${request.path ?? '/'} by ${who}`;
  const target = request.resource;
  const where = target.namespace === '' ? '' : ` in ${target.namespace}`;
  const name = target.name === undefined ? '' : ` "${target.name}"`;
  return `${request.verb} ${resourceLabel(target)}${name}${where} by ${who}`;
}

/** A stable key for de-duplicating shapes. */
export function requestKey(request: RequestShape): string {
  const target = request.resource;
  return JSON.stringify([
    request.user?.name ?? null,
    request.user?.groups ?? null,
    request.verb,
    target?.group ?? null,
    target?.resource ?? null,
    target?.subresource ?? null,
    target?.namespace ?? null,
    target?.name ?? null,
    request.path ?? null,
  ]);
}

/**
 * The groups kube-apiserver's authenticators give a user of this name: service accounts and
 * nodes get their system groups, `system:anonymous` is unauthenticated, everyone else is
 * `system:authenticated` (plus whatever their identity provider adds).
 */
export function defaultGroupsOf(userName: string): string[] {
  if (userName === 'system:anonymous') return ['system:unauthenticated'];
  if (userName.startsWith('system:serviceaccount:')) {
    const namespace = userName.split(':')[2];
    return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
  }
  if (userName.startsWith('system:node:')) return ['system:nodes', 'system:authenticated'];
  return ['system:authenticated'];
}

export function userNamed(name: string, extraGroups: readonly string[] = []): RequestUser {
  return { name, groups: [...new Set([...extraGroups, ...defaultGroupsOf(name)])] };
}

/**
 * One or two identities per actor kind (see src/model/actor.ts), so a policy that silences one
 * kind of caller shows up as a gap for the rules that watch that kind.
 */
export const REPRESENTATIVE_USERS: readonly RequestUser[] = [
  userNamed('alice@example.com'),
  userNamed('kubernetes-admin', ['kubeadm:cluster-admins']),
  userNamed('system:serviceaccount:ci:deployer'),
  userNamed('system:node:worker-1'),
  userNamed('system:kube-controller-manager'),
  userNamed('system:serviceaccount:kube-system:replicaset-controller'),
  userNamed('system:anonymous'),
];
