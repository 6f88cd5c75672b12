import type { ApiRequest, Identity } from './audit-event.js';
import type { ResourceKind } from './kube-api.js';
import { type Random, WeightedChoice } from './random.js';

/** Something that talks to the apiserver: its identity and the mix of requests it makes. */
export interface Actor {
  identity: (random: Random) => Identity;
  requests: WeightedChoice<(random: Random) => ApiRequest>;
}

/** Requests an actor makes, each with its relative frequency. */
export type RequestMix = Array<[weight: number, make: (random: Random) => ApiRequest]>;

export function actor(identity: Identity | ((random: Random) => Identity), mix: RequestMix): Actor {
  return {
    identity: typeof identity === 'function' ? identity : () => identity,
    requests: new WeightedChoice(mix.map(([weight, make]) => ({ weight, value: make }))),
  };
}

export const KUBE_VERSION = 'v1.29.4';
const KUBE_COMMIT = '55019c8';
export const PLATFORM_UA = `(linux/amd64) kubernetes/${KUBE_COMMIT}`;

/** The user agent client-go builds for a control-plane binary. */
export function componentAgent(binary: string, suffix = ''): string {
  return `${binary}/${KUBE_VERSION} ${PLATFORM_UA}${suffix}`;
}

const SA_GROUPS = (namespace: string) => ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];

/**
 * A service account as its token authenticates it. A token bound to a pod (projected token,
 * Kubernetes 1.29) names that pod in `user.extra`; the controllers' own tokens carry no extra.
 */
export function serviceAccountUser(random: Random, namespace: string, name: string, pod?: { name: string; uid: string }): Identity['user'] {
  const user: Identity['user'] = { username: `system:serviceaccount:${namespace}:${name}`, uid: random.uuid(), groups: SA_GROUPS(namespace) };
  if (pod !== undefined) user.extra = { 'authentication.kubernetes.io/pod-name': [pod.name], 'authentication.kubernetes.io/pod-uid': [pod.uid] };
  return user;
}

export function rbacReason(binding: `${'ClusterRoleBinding' | 'RoleBinding'} "${string}"`, role: `${'ClusterRole' | 'Role'} "${string}"`, subject: string): string {
  return `RBAC: allowed by ${binding} of ${role} to ${subject}`;
}

// Request builders, named after the verb they send.

export function get(kind: ResourceKind, namespace: string | undefined, name: string, subresource?: string): ApiRequest {
  return { verb: 'get', target: { kind, namespace, name, subresource } };
}

export function list(kind: ResourceKind, namespace?: string, selector?: string): ApiRequest {
  return { verb: 'list', target: { kind, namespace }, query: selector ? `${selector}&limit=500&resourceVersion=0` : 'limit=500&resourceVersion=0' };
}

/** A client-go reflector's watch: a server timeout between 5 and 10 minutes, then it reconnects. */
export function watch(random: Random, kind: ResourceKind, namespace?: string, fieldSelector?: string): ApiRequest {
  const timeoutSeconds = random.between(300, 599);
  const selector = fieldSelector ? `&fieldSelector=${encodeURIComponent(fieldSelector)}` : '';
  const timeout = `${Math.floor(timeoutSeconds / 60)}m${timeoutSeconds % 60}s`;
  return {
    verb: 'watch',
    target: { kind, namespace },
    query: `allowWatchBookmarks=true${selector}&resourceVersion=${random.between(1_000_000, 99_999_999)}&timeout=${timeout}&timeoutSeconds=${timeoutSeconds}&watch=true`,
    streamMs: timeoutSeconds * 1000,
  };
}

export function create(kind: ResourceKind, namespace: string | undefined, requestObject?: unknown, name?: string, subresource?: string): ApiRequest {
  return { verb: 'create', target: { kind, namespace, name, subresource }, level: requestObject ? 'Request' : 'Metadata', requestObject };
}

export function update(kind: ResourceKind, namespace: string | undefined, name: string, subresource?: string, uid?: string): ApiRequest {
  return { verb: 'update', target: { kind, namespace, name, subresource }, uid, query: 'timeout=10s' };
}

export function patch(kind: ResourceKind, namespace: string | undefined, name: string, requestObject?: unknown, subresource?: string): ApiRequest {
  return { verb: 'patch', target: { kind, namespace, name, subresource }, level: requestObject ? 'Request' : 'Metadata', requestObject };
}

export function remove(kind: ResourceKind, namespace: string | undefined, name: string): ApiRequest {
  return { verb: 'delete', target: { kind, namespace, name } };
}

export function nonResource(path: string): ApiRequest {
  return { verb: 'get', path };
}

/** Forces a response code: a forbidden attempt, a read of something gone. */
export function withCode(request: ApiRequest, code: number): ApiRequest {
  return { ...request, code };
}

/** Draws one thing (a pod, a workload) and builds the request from it, so all its fields agree. */
export function using<T>(choose: (random: Random) => T, make: (item: T, random: Random) => ApiRequest): (random: Random) => ApiRequest {
  return (random) => make(choose(random), random);
}
