import type { ActorKind } from './event.js';

/** Identities of control-plane components that are neither nodes nor service accounts. */
const CONTROL_PLANE_USERS = new Set([
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:kube-proxy',
  'system:apiserver',
  'system:volume-scheduler',
  'system:kube-aggregator',
]);

/**
 * Classifies the authenticated user of a request. Controllers that run under
 * per-controller service accounts in kube-system (`--use-service-account-credentials`)
 * count as controllers, not as service accounts, because their behaviour is the cluster's own.
 */
export function actorKindOf(userName: string | undefined, groups?: readonly string[]): ActorKind | undefined {
  if (userName === undefined || userName === '') return undefined;
  if (userName === 'system:anonymous' || groups?.includes('system:unauthenticated')) return 'anonymous';
  if (userName.startsWith('system:node:')) return 'node';
  if (userName.startsWith('system:serviceaccount:')) {
    return isControllerServiceAccount(userName) ? 'controller' : 'serviceaccount';
  }
  if (CONTROL_PLANE_USERS.has(userName) || userName.startsWith('system:')) return 'controller';
  return 'human';
}

function isControllerServiceAccount(userName: string): boolean {
  if (!userName.startsWith('system:serviceaccount:kube-system:')) return false;
  const name = userName.slice('system:serviceaccount:kube-system:'.length);
  return name.endsWith('-controller') || name === 'generic-garbage-collector' || name === 'namespace-controller';
}
